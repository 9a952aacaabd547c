/**
 * The system MPI library through Deno FFI, opened lazily by its usual sonames. Open MPI's
 * handles (`MPI_COMM_WORLD`, `MPI_FLOAT`, `MPI_SUM`, ...) are the addresses of global
 * symbols (`ompi_mpi_comm_world`, ...); MPICH's are integer constants. Blocking collectives
 * are declared `nonblocking`, so each runs on a thread of Deno's pool and returns a Promise;
 * that is why MPI is started with `MPI_THREAD_MULTIPLE`.
 */

import { envGet } from "./env.ts";

/** A handle: a pointer (Open MPI) or an int (MPICH). */
export type MpiHandle = Deno.PointerValue | number;

/** The functions and constants this project uses, uniform across implementations. */
export interface MpiLib {
  /** `"Open MPI"` or `"MPICH"`. */
  flavor: "Open MPI" | "MPICH";
  /** Path or soname the library was opened from. */
  path: string;
  /** `MPI_Get_library_version`'s first line. */
  version: string;
  COMM_WORLD: MpiHandle;
  FLOAT: MpiHandle;
  DOUBLE: MpiHandle;
  INT: MpiHandle;
  BYTE: MpiHandle;
  SUM: MpiHandle;
  MAX: MpiHandle;
  MIN: MpiHandle;
  ERRORS_RETURN: MpiHandle;
  IN_PLACE: Deno.PointerValue;
  fn: MpiFunctions;
}

type Buf = ArrayBufferView | null;

/** Raw entry points (int results are MPI error codes). */
export interface MpiFunctions {
  MPI_Initialized(flag: Int32Array): number;
  MPI_Init_thread(argc: null, argv: null, required: number, provided: Int32Array): number;
  MPI_Comm_rank(comm: MpiHandle, out: Int32Array): number;
  MPI_Comm_size(comm: MpiHandle, out: Int32Array): number;
  MPI_Comm_set_errhandler(comm: MpiHandle, handler: MpiHandle): number;
  MPI_Error_string(code: number, out: Uint8Array, len: Int32Array): number;
  MPI_Abort(comm: MpiHandle, code: number): number;
  MPI_Finalize(): number;
  MPI_Allreduce(
    send: Deno.PointerValue,
    recv: Buf,
    count: number,
    type: MpiHandle,
    op: MpiHandle,
    comm: MpiHandle,
  ): Promise<number>;
  MPI_Allgather(
    send: Buf,
    sendCount: number,
    sendType: MpiHandle,
    recv: Buf,
    recvCount: number,
    recvType: MpiHandle,
    comm: MpiHandle,
  ): Promise<number>;
  MPI_Bcast(buf: Buf, count: number, type: MpiHandle, root: number, comm: MpiHandle): Promise<
    number
  >;
  MPI_Barrier(comm: MpiHandle): Promise<number>;
  MPI_Allreduce_sync(
    send: Deno.PointerValue,
    recv: Buf,
    count: number,
    type: MpiHandle,
    op: MpiHandle,
    comm: MpiHandle,
  ): number;
  MPI_Allgather_sync(
    send: Buf,
    sendCount: number,
    sendType: MpiHandle,
    recv: Buf,
    recvCount: number,
    recvType: MpiHandle,
    comm: MpiHandle,
  ): number;
}

/** Sonames tried in order (override with `SIMCLR_MPI_LIB=/path/to/libmpi.so`). */
export const MPI_SONAMES = [
  "libmpi.so.40", // Open MPI 3, 4, 5
  "libmpich.so.12", // MPICH 3, 4
  "libmpi.so.12", // MPICH's libmpi
  "libmpi.so", // development symlink (either)
  "libmpich.so",
];

/** MPI_THREAD_MULTIPLE (the same value in Open MPI and MPICH). */
export const MPI_THREAD_MULTIPLE = 3;

const INSTALL_HINT = "install an MPI library: `apt-get install openmpi-bin libopenmpi-dev` " +
  "(Debian/Ubuntu; or `mpich libmpich-dev`), or set SIMCLR_MPI_LIB to its path";

function defs(h: "pointer" | "i32") {
  return {
    MPI_Get_library_version: { parameters: ["buffer", "buffer"], result: "i32" },
    MPI_Initialized: { parameters: ["buffer"], result: "i32" },
    MPI_Init_thread: { parameters: ["pointer", "pointer", "i32", "buffer"], result: "i32" },
    MPI_Comm_rank: { parameters: [h, "buffer"], result: "i32" },
    MPI_Comm_size: { parameters: [h, "buffer"], result: "i32" },
    MPI_Comm_set_errhandler: { parameters: [h, h], result: "i32" },
    MPI_Error_string: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
    MPI_Abort: { parameters: [h, "i32"], result: "i32" },
    MPI_Finalize: { parameters: [], result: "i32" },
    MPI_Allreduce: {
      parameters: ["pointer", "buffer", "i32", h, h, h],
      result: "i32",
      nonblocking: true,
    },
    MPI_Allgather: {
      parameters: ["buffer", "i32", h, "buffer", "i32", h, h],
      result: "i32",
      nonblocking: true,
    },
    MPI_Bcast: { parameters: ["buffer", "i32", h, "i32", h], result: "i32", nonblocking: true },
    MPI_Barrier: { parameters: [h], result: "i32", nonblocking: true },
    // The same functions, called on the JS thread (blocking it), for synchronous collectives.
    MPI_Allreduce_sync: {
      name: "MPI_Allreduce",
      parameters: ["pointer", "buffer", "i32", h, h, h],
      result: "i32",
    },
    MPI_Allgather_sync: {
      name: "MPI_Allgather",
      parameters: ["buffer", "i32", h, "buffer", "i32", h, h],
      result: "i32",
    },
  } as const;
}

const OMPI_STATICS = {
  ompi_mpi_comm_world: { type: "pointer" },
  ompi_mpi_float: { type: "pointer" },
  ompi_mpi_double: { type: "pointer" },
  ompi_mpi_int: { type: "pointer" },
  ompi_mpi_byte: { type: "pointer" },
  ompi_mpi_op_sum: { type: "pointer" },
  ompi_mpi_op_max: { type: "pointer" },
  ompi_mpi_op_min: { type: "pointer" },
  ompi_mpi_errors_return: { type: "pointer" },
} as const;

let cached: MpiLib | undefined;

/** Opens the MPI library (once); throws naming the package and the flag when it cannot. */
export function loadMpi(): MpiLib {
  if (cached) return cached;
  const ffi = Deno.permissions.querySync({ name: "ffi" });
  if (ffi.state !== "granted") {
    throw new Error(
      "the MPI communicator calls the system MPI library through FFI: run deno with " +
        "--allow-ffi (or -A)",
    );
  }
  const override = envGet("SIMCLR_MPI_LIB");
  const candidates = override ? [override] : MPI_SONAMES;
  const failures: string[] = [];
  for (const path of candidates) {
    let probe: Deno.DynamicLibrary<{
      MPI_Get_library_version: { parameters: ["buffer", "buffer"]; result: "i32" };
    }>;
    try {
      probe = Deno.dlopen(path, {
        MPI_Get_library_version: { parameters: ["buffer", "buffer"], result: "i32" },
      });
    } catch (err) {
      failures.push(`${path}: ${(err as Error).message.split("\n")[0]}`);
      continue;
    }
    const text = new Uint8Array(8192), len = new Int32Array(1);
    probe.symbols.MPI_Get_library_version(text, len);
    probe.close();
    const version = new TextDecoder().decode(text.subarray(0, Math.max(0, len[0])))
      .replace(/\0.*$/s, "").split("\n")[0].trim();
    cached = /Open MPI/i.test(version) ? openOmpi(path, version) : openMpich(path, version);
    return cached;
  }
  throw new Error(`could not load the MPI library (${failures.join("; ")}): ${INSTALL_HINT}`);
}

function openOmpi(path: string, version: string): MpiLib {
  const lib = Deno.dlopen(path, { ...defs("pointer"), ...OMPI_STATICS });
  const s = lib.symbols;
  return {
    flavor: "Open MPI",
    path,
    version,
    COMM_WORLD: s.ompi_mpi_comm_world,
    FLOAT: s.ompi_mpi_float,
    DOUBLE: s.ompi_mpi_double,
    INT: s.ompi_mpi_int,
    BYTE: s.ompi_mpi_byte,
    SUM: s.ompi_mpi_op_sum,
    MAX: s.ompi_mpi_op_max,
    MIN: s.ompi_mpi_op_min,
    ERRORS_RETURN: s.ompi_mpi_errors_return,
    IN_PLACE: Deno.UnsafePointer.create(1n),
    fn: s as unknown as MpiFunctions,
  };
}

function openMpich(path: string, version: string): MpiLib {
  // Constants from MPICH's mpi.h (stable across MPICH 3 and 4, and its derivatives).
  const lib = Deno.dlopen(path, defs("i32"));
  return {
    flavor: "MPICH",
    path,
    version,
    COMM_WORLD: 0x44000000,
    FLOAT: 0x4c00040a,
    DOUBLE: 0x4c00080b,
    INT: 0x4c000405,
    BYTE: 0x4c00010d,
    SUM: 0x58000003,
    MAX: 0x58000001,
    MIN: 0x58000002,
    ERRORS_RETURN: 0x54000001,
    IN_PLACE: Deno.UnsafePointer.create(0xffffffffffffffffn),
    fn: lib.symbols as unknown as MpiFunctions,
  };
}

/** `MPI_Error_string` of a code. */
export function mpiErrorString(mpi: MpiLib, code: number): string {
  const buf = new Uint8Array(1024), len = new Int32Array(1);
  if (mpi.fn.MPI_Error_string(code, buf, len) !== 0) return `MPI error ${code}`;
  return new TextDecoder().decode(buf.subarray(0, len[0]));
}
