// Preloaded into a benchmarked process (`node --import …/alloc-probe.mjs`): counts the bytes the
// process allocates on the V8 heap, so a bench can divide them by the requests served. V8 keeps
// no running total, but every GC reports the heap before and after (v8.GCProfiler): what was
// allocated is the sum of each GC's "before" minus the previous GC's "after", plus the growth
// since the last one. On SIGUSR2 the running total is written to ALLOC_PROBE_FILE.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.ALLOC_PROBE_FILE;
if (file) {
  let profiler = new v8.GCProfiler();
  profiler.start();
  let total = 0;
  let lastAfter = v8.getHeapStatistics().used_heap_size;
  process.on('SIGUSR2', () => {
    const data = profiler.stop();
    for (const s of data.statistics) {
      total += s.beforeGC.heapStatistics.usedHeapSize - lastAfter;
      lastAfter = s.afterGC.heapStatistics.usedHeapSize;
    }
    writeFileSync(file, String(total + v8.getHeapStatistics().used_heap_size - lastAfter));
    profiler = new v8.GCProfiler();
    profiler.start();
  });
}
