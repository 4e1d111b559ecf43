/**
 * Just enough of the GGUF format to check a file before llama.cpp sees it: the magic, the
 * version, and the first metadata values (architecture, name, chat template). llama.cpp's own
 * errors for a bad file are terse log lines; reading the header here lets us say what is wrong.
 *
 * Pure: bytes in, a summary or an error out. No DOM, no wllama.
 */

/** "GGUF" as the first four bytes, little-endian uint32 0x46554747. */
export const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46] as const;

/** What the header says about a model file. */
export interface GgufHeader {
  version: number;
  tensorCount: number;
  kvCount: number;
  /** `general.architecture`, e.g. "llama"; null if not found in the bytes read. */
  architecture: string | null;
  /** `general.name`, if present. */
  name: string | null;
  /** `tokenizer.chat_template`, if present in the bytes read. */
  chatTemplate: string | null;
  /** False when the bytes ended before every metadata value and tensor entry was read (only a prefix was given). */
  complete: boolean;
  /**
   * The size the file must have at least to hold every tensor's data (from the tensor table);
   * null when it could not be worked out (prefix too short, unknown tensor type).
   */
  minFileSize: number | null;
  /**
   * The model's shape, from `<architecture>.*` metadata, where the header has it: what the
   * Models page needs for the context setting (trained window) and the KV cache's memory.
   */
  shape: GgufShape;
}

/** Architecture metadata of a GGUF model (every field absent when the header lacks it). */
export interface GgufShape {
  /** `<arch>.context_length`: the window the model was trained for (llama.cpp's n_ctx_train). */
  contextLength?: number;
  /** `<arch>.block_count`: transformer layers. */
  blockCount?: number;
  embeddingLength?: number;
  headCount?: number;
  /** `<arch>.attention.head_count_kv` (grouped-query attention); equals headCount when absent. */
  headCountKv?: number;
  /** `<arch>.attention.key_length` / `value_length`: per-head sizes, when not embedding / heads. */
  keyLength?: number;
  valueLength?: number;
  /** Entries of `tokenizer.ggml.tokens`. */
  vocabSize?: number;
}

/**
 * Bytes the KV cache takes per token of context at f16 (llama.cpp's default cache type): keys
 * and values for every layer and KV head. Undefined when the header lacks the shape.
 */
export function kvBytesPerToken(shape: GgufShape): number | undefined {
  const { blockCount, embeddingLength, headCount } = shape;
  if (!blockCount || !headCount || !embeddingLength) return undefined;
  const kvHeads = shape.headCountKv || headCount;
  const headDim = embeddingLength / headCount;
  const k = shape.keyLength || headDim;
  const v = shape.valueLength || headDim;
  return Math.round(blockCount * kvHeads * (k + v) * 2);
}

/** The metadata keys (after `<arch>.`) read into GgufShape. */
const SHAPE_KEYS: Record<string, keyof GgufShape> = {
  context_length: 'contextLength',
  block_count: 'blockCount',
  embedding_length: 'embeddingLength',
  'attention.head_count': 'headCount',
  'attention.head_count_kv': 'headCountKv',
  'attention.key_length': 'keyLength',
  'attention.value_length': 'valueLength',
};

/** Bytes per block and elements per block of the ggml tensor types, for the size check. */
const GGML_BLOCK: Record<number, [bytes: number, elems: number]> = {
  0: [4, 1], 1: [2, 1], 2: [18, 32], 3: [20, 32], 6: [22, 32], 7: [24, 32], 8: [34, 32], 9: [36, 32],
  10: [84, 256], 11: [110, 256], 12: [144, 256], 13: [176, 256], 14: [210, 256], 15: [292, 256],
  24: [1, 1], 25: [2, 1], 26: [4, 1], 27: [8, 1], 28: [8, 1], 30: [2, 1],
};

/** Why a header could not be read. `notGguf`: wrong magic; `truncated`: the file ends inside the header. */
export class GgufHeaderError extends Error {
  constructor(
    readonly kind: 'notGguf' | 'truncated' | 'corrupt',
    message: string,
  ) {
    super(message);
    this.name = 'GgufHeaderError';
  }
}

/** The first bytes of a file as hex and as printable text, for error messages. */
export function describeBytes(bytes: Uint8Array, n = 8): string {
  const head = bytes.subarray(0, n);
  if (head.length === 0) return 'empty';
  const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = [...head].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex} "${text}"`;
}

/** Whether the bytes start with the GGUF magic. */
export function hasGgufMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && GGUF_MAGIC.every((b, i) => bytes[i] === b);
}

// GGUF metadata value types.
const T = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 } as const;
const FIXED: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Signals the end of the bytes we were given (not an error if they were only a prefix). */
class OutOfBytes extends Error {}

/**
 * Reads a GGUF header from the first bytes of a file. `fileSize` is the whole file's size: when
 * the bytes are the whole file and end inside the header, the file is truncated; when they are
 * a prefix, reading simply stops (complete: false).
 */
export function readGgufHeader(bytes: Uint8Array, fileSize = bytes.length): GgufHeader {
  if (!hasGgufMagic(bytes)) {
    throw new GgufHeaderError('notGguf', `is not a GGUF file (its first bytes are ${describeBytes(bytes)}; a GGUF file starts with "GGUF")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dec = new TextDecoder('utf-8', { fatal: false });
  let p = 4;
  const need = (n: number) => {
    if (p + n > bytes.length) throw new OutOfBytes();
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(p, true);
    p += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(p, true);
    p += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufHeaderError('corrupt', 'has an impossible length in its header (corrupt file)');
    return Number(v);
  };
  const str = () => {
    const len = u64();
    if (len > fileSize) throw new GgufHeaderError('corrupt', `has a string of ${len} bytes in its header, longer than the file (corrupt file)`);
    need(len);
    const s = dec.decode(bytes.subarray(p, p + len));
    p += len;
    return s;
  };
  const skip = (type: number): void => {
    if (type === T.STRING) {
      const len = u64();
      need(len);
      p += len;
      return;
    }
    if (type === T.ARRAY) {
      const inner = u32();
      const n = u64();
      const size = FIXED[inner];
      if (size !== undefined) {
        need(n * size);
        p += n * size;
      } else if (inner === T.STRING) {
        for (let i = 0; i < n; i++) skip(T.STRING);
      } else {
        throw new GgufHeaderError('corrupt', `has an unknown array type ${inner} in its metadata (corrupt file)`);
      }
      return;
    }
    const size = FIXED[type];
    if (size === undefined) throw new GgufHeaderError('corrupt', `has an unknown metadata type ${type} (corrupt file)`);
    need(size);
    p += size;
  };

  const out: GgufHeader = { version: 0, tensorCount: 0, kvCount: 0, architecture: null, name: null, chatTemplate: null, complete: false, minFileSize: null, shape: {} };
  /** Integer metadata by key, resolved against the architecture once it is known. */
  const ints = new Map<string, number>();
  const INT_TYPES: Record<number, () => number> = {
    [T.U32]: () => u32(),
    [T.I32]: () => {
      const v = u32();
      return v | 0;
    },
    [T.U64]: () => u64(),
    [T.U16]: () => {
      need(2);
      const v = view.getUint16(p, true);
      p += 2;
      return v;
    },
  };
  let alignment = 32;
  try {
    out.version = u32();
    if (out.version < 2 || out.version > 3) {
      throw new GgufHeaderError('corrupt', `is GGUF version ${out.version}; llama.cpp reads versions 2 and 3`);
    }
    out.tensorCount = u64();
    out.kvCount = u64();
    for (let i = 0; i < out.kvCount; i++) {
      const key = str();
      const type = u32();
      if (type === T.STRING && (key === 'general.architecture' || key === 'general.name' || key === 'tokenizer.chat_template')) {
        const v = str();
        if (key === 'general.architecture') out.architecture = v;
        else if (key === 'general.name') out.name = v;
        else out.chatTemplate = v;
      } else if (key === 'general.alignment' && type === T.U32) {
        alignment = u32() || 32;
      } else if (INT_TYPES[type] && /\.(context_length|block_count|embedding_length|attention\.(head_count|head_count_kv|key_length|value_length))$/.test(key)) {
        ints.set(key, INT_TYPES[type]!());
      } else if (key === 'tokenizer.ggml.tokens' && type === T.ARRAY) {
        const before = p;
        skip(type);
        // The array's element count sits after its element type (u32).
        out.shape.vocabSize = Number(view.getBigUint64(before + 4, true));
      } else {
        skip(type);
      }
    }
    readShape(out, ints);
    // The tensor table: name, dims, type, offset into the data section.
    let end = 0;
    let known = true;
    for (let i = 0; i < out.tensorCount; i++) {
      const len = u64();
      need(len);
      p += len;
      const nDims = u32();
      if (nDims > 8) throw new GgufHeaderError('corrupt', `has a tensor with ${nDims} dimensions (corrupt file)`);
      let elems = 1;
      for (let d = 0; d < nDims; d++) elems *= u64();
      const ggmlType = u32();
      const offset = u64();
      const block = GGML_BLOCK[ggmlType];
      if (block) end = Math.max(end, offset + Math.ceil(elems / block[1]) * block[0]);
      else {
        known = false;
        end = Math.max(end, offset);
      }
    }
    const dataStart = Math.ceil(p / alignment) * alignment;
    out.minFileSize = known ? dataStart + end : null;
    out.complete = true;
    if (dataStart + end > fileSize) {
      throw new GgufHeaderError(
        'truncated',
        `is truncated: its tensors need ${dataStart + end} bytes but the file has ${fileSize} (download it again)`,
      );
    }
  } catch (err) {
    if (!(err instanceof OutOfBytes)) throw err;
    readShape(out, ints);
    if (bytes.length >= fileSize) {
      throw new GgufHeaderError('truncated', `is truncated: the file (${fileSize} bytes) ends inside its GGUF header`);
    }
  }
  return out;
}

function readShape(out: GgufHeader, ints: ReadonlyMap<string, number>): void {
  const arch = out.architecture;
  if (!arch) return;
  for (const [suffix, field] of Object.entries(SHAPE_KEYS)) {
    const v = ints.get(`${arch}.${suffix}`);
    if (v !== undefined && v > 0) out.shape[field] = v;
  }
}
