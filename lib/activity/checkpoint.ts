import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { type JsonValue, valueDigest } from "./canonical";
import type { AnyDatabase } from "./database";
import { rowsOf } from "./rows";
import { activityCheckpoints, activitySeals } from "./schema";
import { chainEndsSql } from "./seal";

/** `periodic` (the sequencer), `manual` (on demand), `retention` (an anchor), `verification` (a verify run). */
export type CheckpointKind = "periodic" | "manual" | "retention" | "verification";

export interface Checkpoint {
  workspaceId: string;
  seq: number;
  hash: string;
  count: number;
}

export const CHECKPOINT_FORMAT = "activity-kit/checkpoint/v1";

/** A signed export of chain heads: keep it outside the database, and `verify --checkpoint` it later. */
export interface CheckpointDocument {
  format: typeof CHECKPOINT_FORMAT;
  takenAt: string;
  checkpoints: Checkpoint[];
  signature: { alg: "ed25519" | "hmac-sha256"; keyId: string; value: string };
}

/** Signs and checks checkpoint documents. */
export interface CheckpointKey {
  alg: CheckpointDocument["signature"]["alg"];
  keyId: string;
  sign(message: string): string;
  verify(message: string, signature: string): boolean;
  /** The Ed25519 public key (PEM), to verify documents offline; none for HMAC. */
  publicKeyPem?: string;
}

const shortId = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);
// Environment variables often carry a PEM on one line, with literal \n.
const pem = (text: string) => text.replaceAll("\\n", "\n").trim();

/**
 * The key checkpoints are signed with: an Ed25519 private key (PEM, PKCS#8) when the host configures one,
 * whose public key verifies a document anywhere, without the database or any secret; else an HMAC with
 * the kit's `secret` (it verifies only where the secret is). A public key alone can verify, not sign.
 */
export function checkpointKey(config: { privateKey?: string; publicKey?: string; secret?: string }): CheckpointKey {
  if (config.privateKey || config.publicKey) {
    const privateKey: KeyObject | undefined = config.privateKey ? createPrivateKey(pem(config.privateKey)) : undefined;
    const publicKey = privateKey ? createPublicKey(privateKey) : createPublicKey(pem(config.publicKey!));
    if (publicKey.asymmetricKeyType !== "ed25519") {
      throw new Error(`The checkpoint key must be an Ed25519 key, not ${publicKey.asymmetricKeyType}.`);
    }
    return {
      alg: "ed25519",
      keyId: shortId(publicKey.export({ type: "spki", format: "der" })),
      publicKeyPem: String(publicKey.export({ type: "spki", format: "pem" })),
      sign(message) {
        if (!privateKey) throw new Error("A public key verifies checkpoints; signing needs the private key.");
        return sign(null, Buffer.from(message), privateKey).toString("base64");
      },
      verify: (message, signature) => verify(null, Buffer.from(message), publicKey, Buffer.from(signature, "base64")),
    };
  }
  if (!config.secret || config.secret.length < 16) {
    throw new Error("Signing checkpoints needs an Ed25519 key (checkpointKey) or the kit's secret (16+ characters).");
  }
  const secret = config.secret;
  const mac = (message: string) => createHmac("sha256", secret).update(message).digest();
  return {
    alg: "hmac-sha256",
    keyId: shortId(`activity-kit/checkpoint-hmac\n${secret}`),
    sign: (message) => mac(message).toString("base64"),
    verify(message, signature) {
      const given = Buffer.from(signature, "base64");
      const expected = mac(message);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** What a document's signature covers: the canonical digest (canonical.ts) of everything but the signature. */
const signedMessage = (doc: Omit<CheckpointDocument, "signature">) =>
  `${CHECKPOINT_FORMAT}\n${valueDigest({ format: doc.format, takenAt: doc.takenAt, checkpoints: doc.checkpoints } as unknown as JsonValue)}`;

export function signCheckpoints(
  checkpoints: Checkpoint[],
  key: CheckpointKey,
  takenAt = new Date(),
): CheckpointDocument {
  const body = { format: CHECKPOINT_FORMAT, takenAt: takenAt.toISOString(), checkpoints } as const;
  return { ...body, signature: { alg: key.alg, keyId: key.keyId, value: key.sign(signedMessage(body)) } };
}

/** Parses a checkpoint document and checks its signature; throws with a clear message when either fails. */
export function openCheckpointDocument(input: unknown, key: CheckpointKey): CheckpointDocument {
  const doc = input as Partial<CheckpointDocument> | null;
  const valid =
    doc !== null &&
    typeof doc === "object" &&
    doc.format === CHECKPOINT_FORMAT &&
    typeof doc.takenAt === "string" &&
    Array.isArray(doc.checkpoints) &&
    doc.checkpoints.every(
      (c) =>
        typeof c?.workspaceId === "string" &&
        Number.isSafeInteger(c.seq) &&
        typeof c.hash === "string" &&
        Number.isSafeInteger(c.count),
    ) &&
    typeof doc.signature?.value === "string";
  if (!valid) throw new Error(`Not a checkpoint document (${CHECKPOINT_FORMAT}).`);
  const document = doc as CheckpointDocument;
  if (document.signature.alg !== key.alg || document.signature.keyId !== key.keyId) {
    throw new Error(
      `The checkpoint is signed with ${document.signature.alg} key ${document.signature.keyId}; this app's key is ${key.alg} ${key.keyId}.`,
    );
  }
  if (!key.verify(signedMessage(document), document.signature.value)) {
    throw new Error("The checkpoint's signature does not verify: the file was changed or signed by another key.");
  }
  return document;
}

/**
 * Records the head of a workspace's chain as a checkpoint of `kind` and returns it. `retention` takes the
 * link at `seq` (the last one retention is about to drop): verify starts again after it.
 */
export async function takeCheckpoint(
  db: AnyDatabase,
  workspaceId: string,
  kind: Exclude<CheckpointKind, "verification"> = "manual",
  options: { seq?: number } = {},
): Promise<Checkpoint> {
  let end: { seq: number; hash: string };
  if (options.seq !== undefined) {
    const [seal] = await db
      .select({ seq: activitySeals.seq, hash: activitySeals.hash })
      .from(activitySeals)
      .where(and(eq(activitySeals.workspaceId, workspaceId), eq(activitySeals.seq, options.seq)));
    if (!seal) throw new Error(`Workspace ${workspaceId} has no seal numbered ${options.seq}.`);
    end = seal;
  } else {
    const [row] = rowsOf<{ seq: string | number; hash: string }>(await db.execute(chainEndsSql([workspaceId])));
    end = { seq: Number(row?.seq ?? 0), hash: row!.hash };
  }
  const checkpoint = { workspaceId, seq: end.seq, hash: end.hash, count: end.seq };
  await db.insert(activityCheckpoints).values({ ...checkpoint, kind });
  return checkpoint;
}

/** The latest checkpoint of a kind (a verification's `result` included). */
export async function latestCheckpoint(db: AnyDatabase, workspaceId: string, kind: CheckpointKind) {
  const [row] = await db
    .select()
    .from(activityCheckpoints)
    .where(and(eq(activityCheckpoints.workspaceId, workspaceId), eq(activityCheckpoints.kind, kind)))
    .orderBy(desc(activityCheckpoints.id))
    .limit(1);
  return row ?? null;
}
