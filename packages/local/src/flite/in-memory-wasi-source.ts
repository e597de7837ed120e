/**
 * The WASI system interface Flite runs on, implemented in JavaScript with an in-memory output
 * directory, as CommonJS source text for the Flite worker (see `flite-worker-source.ts`).
 *
 * Why not `node:wasi`: every `new WASI({ preopens })` opens the preopened directory with a host
 * file descriptor that Node never closes — not when the instance is garbage-collected, not when
 * the worker thread that made it exits (measured on Node 20: one descriptor per synthesis, so a
 * server reached its `ulimit -n` after about a thousand replies). A WASI instance cannot be
 * started twice (`ERR_WASI_ALREADY_STARTED`), so one per synthesis is unavoidable. This
 * implementation holds no host resource at all: Flite's only file is its WAV output, which
 * stays in memory, and nothing touches the disk.
 *
 * It implements exactly the 13 `wasi_snapshot_preview1` functions `flite.wasm` imports
 * (`args_get`, `args_sizes_get`, `clock_time_get`, `fd_close`, `fd_fdstat_get`,
 * `fd_fdstat_set_flags`, `fd_prestat_get`, `fd_prestat_dir_name`, `fd_read`, `fd_seek`,
 * `fd_write`, `path_open`, `proc_exit`), with the ABI of the WASI preview 1 specification
 * (https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md): errno values, the
 * `fdstat`, `prestat` and `iovec` layouts, `oflags` and `whence` codes. File descriptors: 0-2
 * stdio (stdin reads as empty; stdout and stderr are kept as text), 3 the preopened directory
 * `/out`, 4 and up the files opened in it.
 *
 * Usage in the worker: `const wasi = new InMemoryWasi(args); instance = await
 * WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.imports });
 * const exitCode = wasi.start(instance); const bytes = wasi.file('speech.wav');`.
 */
export const inMemoryWasiSource = `
const WASI_ERRNO_SUCCESS = 0;
const WASI_ERRNO_BADF = 8;
const WASI_ERRNO_INVAL = 28;
const WASI_ERRNO_NOENT = 44;
const WASI_ERRNO_NOTDIR = 54;
const WASI_ERRNO_SPIPE = 70;
const WASI_FILETYPE_CHARACTER_DEVICE = 2;
const WASI_FILETYPE_DIRECTORY = 3;
const WASI_FILETYPE_REGULAR_FILE = 4;
const WASI_OFLAGS_CREAT = 1;
const WASI_OFLAGS_DIRECTORY = 2;
const WASI_OFLAGS_TRUNC = 8;
const WASI_FDFLAGS_APPEND = 1;
const WASI_PREOPEN_FD = 3;
const WASI_PREOPEN_NAME = '/out';
const ALL_RIGHTS = 0x1fffffffn;

/** Thrown by proc_exit to unwind the module back to start(). */
class WasiExit {
  constructor(code) {
    this.code = code;
  }
}

class InMemoryWasi {
  constructor(args) {
    this.args = args.map((arg) => Buffer.from(arg + '\\0', 'utf8'));
    /** File name in /out -> { bytes, length }. */
    this.files = new Map();
    /** fd -> { file, position, append }. */
    this.open = new Map();
    this.nextFd = WASI_PREOPEN_FD + 1;
    this.stdout = '';
    this.stderr = '';
    this.memory = undefined;
    const wasi = this;
    this.imports = {
      args_sizes_get: (countPointer, sizePointer) => {
        const view = wasi.view();
        view.setUint32(countPointer, wasi.args.length, true);
        view.setUint32(sizePointer, wasi.args.reduce((sum, arg) => sum + arg.length, 0), true);
        return WASI_ERRNO_SUCCESS;
      },
      args_get: (pointersPointer, bufferPointer) => {
        const view = wasi.view();
        const bytes = wasi.bytes();
        let at = bufferPointer;
        wasi.args.forEach((arg, index) => {
          view.setUint32(pointersPointer + 4 * index, at, true);
          bytes.set(arg, at);
          at += arg.length;
        });
        return WASI_ERRNO_SUCCESS;
      },
      clock_time_get: (clockId, _precision, timePointer) => {
        const nanoseconds =
          clockId === 0
            ? BigInt(Date.now()) * 1000000n
            : BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
        wasi.view().setBigUint64(timePointer, nanoseconds, true);
        return WASI_ERRNO_SUCCESS;
      },
      fd_close: (fd) => {
        if (!wasi.open.delete(fd)) return WASI_ERRNO_BADF;
        return WASI_ERRNO_SUCCESS;
      },
      fd_fdstat_get: (fd, statPointer) => {
        let filetype;
        if (fd <= 2) filetype = WASI_FILETYPE_CHARACTER_DEVICE;
        else if (fd === WASI_PREOPEN_FD) filetype = WASI_FILETYPE_DIRECTORY;
        else if (wasi.open.has(fd)) filetype = WASI_FILETYPE_REGULAR_FILE;
        else return WASI_ERRNO_BADF;
        const view = wasi.view();
        view.setUint8(statPointer, filetype);
        view.setUint16(statPointer + 2, 0, true);
        // Character devices lack the seek (bit 2) and tell (bit 5) rights, which is how libc
        // recognises a terminal.
        const rights = fd <= 2 ? ALL_RIGHTS & ~0x24n : ALL_RIGHTS;
        view.setBigUint64(statPointer + 8, rights, true);
        view.setBigUint64(statPointer + 16, ALL_RIGHTS, true);
        return WASI_ERRNO_SUCCESS;
      },
      fd_fdstat_set_flags: (fd) => (fd <= WASI_PREOPEN_FD || wasi.open.has(fd) ? WASI_ERRNO_SUCCESS : WASI_ERRNO_BADF),
      fd_prestat_get: (fd, prestatPointer) => {
        if (fd !== WASI_PREOPEN_FD) return WASI_ERRNO_BADF;
        const view = wasi.view();
        view.setUint8(prestatPointer, 0);
        view.setUint32(prestatPointer + 4, WASI_PREOPEN_NAME.length, true);
        return WASI_ERRNO_SUCCESS;
      },
      fd_prestat_dir_name: (fd, pathPointer, pathLength) => {
        if (fd !== WASI_PREOPEN_FD) return WASI_ERRNO_BADF;
        if (pathLength < WASI_PREOPEN_NAME.length) return WASI_ERRNO_INVAL;
        wasi.bytes().set(Buffer.from(WASI_PREOPEN_NAME, 'utf8'), pathPointer);
        return WASI_ERRNO_SUCCESS;
      },
      fd_read: (fd, iovsPointer, iovsLength, readPointer) => {
        const view = wasi.view();
        if (fd === 0) {
          view.setUint32(readPointer, 0, true);
          return WASI_ERRNO_SUCCESS;
        }
        const handle = wasi.open.get(fd);
        if (handle === undefined) return WASI_ERRNO_BADF;
        const bytes = wasi.bytes();
        let read = 0;
        for (let i = 0; i < iovsLength; i++) {
          const buffer = view.getUint32(iovsPointer + 8 * i, true);
          const length = view.getUint32(iovsPointer + 8 * i + 4, true);
          const available = Math.max(0, Math.min(length, handle.file.length - handle.position));
          bytes.set(handle.file.bytes.subarray(handle.position, handle.position + available), buffer);
          handle.position += available;
          read += available;
          if (available < length) break;
        }
        view.setUint32(readPointer, read, true);
        return WASI_ERRNO_SUCCESS;
      },
      fd_seek: (fd, offset, whence, newOffsetPointer) => {
        if (fd <= 2) return WASI_ERRNO_SPIPE;
        const handle = wasi.open.get(fd);
        if (handle === undefined) return WASI_ERRNO_BADF;
        const base = whence === 0 ? 0 : whence === 1 ? handle.position : whence === 2 ? handle.file.length : -1;
        const position = base + Number(offset);
        if (base < 0 || position < 0) return WASI_ERRNO_INVAL;
        handle.position = position;
        wasi.view().setBigUint64(newOffsetPointer, BigInt(position), true);
        return WASI_ERRNO_SUCCESS;
      },
      fd_write: (fd, iovsPointer, iovsLength, writtenPointer) => {
        const view = wasi.view();
        const bytes = wasi.bytes();
        const handle = wasi.open.get(fd);
        if (fd > 2 && handle === undefined) return WASI_ERRNO_BADF;
        let written = 0;
        for (let i = 0; i < iovsLength; i++) {
          const buffer = view.getUint32(iovsPointer + 8 * i, true);
          const length = view.getUint32(iovsPointer + 8 * i + 4, true);
          const chunk = bytes.subarray(buffer, buffer + length);
          if (fd === 1) wasi.stdout += Buffer.from(chunk).toString('utf8');
          else if (fd === 2) wasi.stderr += Buffer.from(chunk).toString('utf8');
          else if (fd > 2) wasi.writeFile(handle, chunk);
          written += length;
        }
        view.setUint32(writtenPointer, written, true);
        return WASI_ERRNO_SUCCESS;
      },
      path_open: (dirFd, _lookupFlags, pathPointer, pathLength, openFlags, _rightsBase, _rightsInheriting, fdFlags, fdPointer) => {
        if (dirFd !== WASI_PREOPEN_FD) return WASI_ERRNO_BADF;
        if (openFlags & WASI_OFLAGS_DIRECTORY) return WASI_ERRNO_NOTDIR;
        const name = Buffer.from(wasi.bytes().subarray(pathPointer, pathPointer + pathLength)).toString('utf8');
        let file = wasi.files.get(name);
        if (file === undefined) {
          if (!(openFlags & WASI_OFLAGS_CREAT)) return WASI_ERRNO_NOENT;
          file = { bytes: new Uint8Array(64 * 1024), length: 0 };
          wasi.files.set(name, file);
        }
        if (openFlags & WASI_OFLAGS_TRUNC) file.length = 0;
        const fd = wasi.nextFd++;
        wasi.open.set(fd, { file, position: 0, append: (fdFlags & WASI_FDFLAGS_APPEND) !== 0 });
        wasi.view().setUint32(fdPointer, fd, true);
        return WASI_ERRNO_SUCCESS;
      },
      proc_exit: (code) => {
        throw new WasiExit(code);
      },
    };
  }

  /** Runs the module's _start; returns its exit code (0 when it returns without proc_exit). */
  start(instance) {
    this.memory = instance.exports.memory;
    try {
      instance.exports._start();
      return 0;
    } catch (error) {
      if (error instanceof WasiExit) return error.code;
      throw error;
    }
  }

  /** The bytes of a file the module wrote in /out, or undefined. */
  file(name) {
    const file = this.files.get(name);
    return file === undefined ? undefined : file.bytes.subarray(0, file.length);
  }

  view() {
    return new DataView(this.memory.buffer);
  }

  bytes() {
    return new Uint8Array(this.memory.buffer);
  }

  writeFile(handle, chunk) {
    const file = handle.file;
    if (handle.append) handle.position = file.length;
    const end = handle.position + chunk.length;
    if (end > file.bytes.length) {
      let capacity = file.bytes.length;
      while (capacity < end) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(file.bytes.subarray(0, file.length));
      file.bytes = grown;
    }
    // A seek past the end leaves a hole of zeros, as on a real file system.
    if (handle.position > file.length) file.bytes.fill(0, file.length, handle.position);
    file.bytes.set(chunk, handle.position);
    handle.position = end;
    if (end > file.length) file.length = end;
  }
}
`;
