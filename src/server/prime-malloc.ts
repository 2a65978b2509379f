/** One default part (8 MiB): what a running signet's first multipart upload would free anyway. */
export const PRIME_BYTES = 8 * 1024 * 1024;

/**
 * Puts glibc's malloc, at start-up, in the state it otherwise reaches only after signet has freed
 * its first multi-MiB buffer (in practice: after the first multipart upload's part buffers).
 *
 * Why: Node's HTTP parser copies every request-body piece (~64 KiB) into a fresh malloc()ed
 * buffer; a scavenge frees MiBs of them at once, and glibc gives the top of its heap back to the
 * kernel whenever more than M_TRIM_THRESHOLD (128 KiB at start) is free there, so the next pieces
 * fault the same pages in again. Measured on a process's first converted 1 GiB upload: 5,553 brk
 * calls and ~0.5 s more system time (bench/RESULTS.md, "Multipart conversion"). glibc raises
 * M_MMAP_THRESHOLD to the size of the first mmap()ed block it frees and M_TRIM_THRESHOLD to twice
 * that (mallopt(3), dynamic mmap threshold); a running Node process cannot call mallopt, so one
 * block is freed on purpose. Its pages are never touched (allocUnsafeSlow), so it costs no RSS;
 * with another allocator it is one allocation and one minor GC. `collect`: body-memory's
 * minorCollector(); undefined when V8 refuses gc() (the block would then wait for V8, so nothing
 * is allocated and false is returned).
 */
export function primeMalloc(
  collect: (() => void) | undefined,
  allocate: (bytes: number) => Buffer = (bytes) => Buffer.allocUnsafeSlow(bytes),
): boolean {
  if (collect === undefined) return false;
  allocate(PRIME_BYTES); // dropped at once: young garbage, freed by the collection below
  collect();
  return true;
}
