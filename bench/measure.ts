// Timing with tinybench: batched samples, many short interleaved rounds, medians.
//
// This machine is shared, and its speed drifts by tens of percent over seconds. Ratios are
// only meaningful between numbers taken at the same moment, so every task runs for a short
// slice in each of many rounds (the order reversed every other round), each round yields one
// value per task, and ratios are taken within a round before the median over the rounds.
import { Bench } from 'tinybench'

/**
 * A task for {@link measure}: `op` is called once per operation; `async` ops are awaited one
 * after the other (never concurrently).
 */
export interface BenchTask {
  name: string
  op: () => unknown
  async?: boolean
}

/** What {@link measure} returns: per task, one value (median batch, ns/op) per round. */
export interface Measurement {
  rounds: number
  ns: (name: string) => number
  perRound: (name: string) => number[]
  means: (name: string) => number[]
  samples: (name: string) => number
}

/** A median over rounds with its quartiles. */
export interface Spread {
  value: number
  q1: number
  q3: number
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** The 25th and 75th percentiles, to show the spread over rounds. */
export const quartiles = (values: readonly number[]): [number, number] => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number
  return [at(0.25), at(0.75)]
}

/** Milliseconds per op, from a few calls: to size the batches (and to warm up). */
const probe = async (task: BenchTask): Promise<number> => {
  const runs = 50
  const t0 = performance.now()
  for (let i = 0; i < runs; i++) {
    if (task.async) await task.op()
    else task.op()
  }
  return (performance.now() - t0) / runs
}

/**
 * One tinybench sample is a batch of operations (about 0.25 ms of work), so that the timer and
 * tinybench's own per-sample cost stay far below 1% even for sub-microsecond ops. The sample's
 * duration is the batch's time divided by its size.
 */
const batched = (task: BenchTask, batch: number): (() => unknown) => {
  const { op } = task
  if (task.async) {
    return async () => {
      const t0 = performance.now()
      for (let i = 0; i < batch; i++) await op()
      const elapsed = performance.now() - t0
      return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed }
    }
  }
  return () => {
    const t0 = performance.now()
    for (let i = 0; i < batch; i++) op()
    const elapsed = performance.now() - t0
    return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed }
  }
}

/**
 * Measures tasks with tinybench in `rounds` rounds of `time` ms per task. Per task and round,
 * the value is the median batch's ns/op: robust to another process taking the CPU for a
 * while (a batch is far shorter than a scheduler time slice); GC pauses that land in a batch
 * are mostly left out too, and the mean batch, which keeps them, is kept as `means`.
 */
export const measure = async (tasks: BenchTask[], { rounds, time, warmupTime }: { rounds: number; time: number; warmupTime: number }): Promise<Measurement> => {
  const batches = new Map<string, number>()
  for (const task of tasks) {
    const ms = await probe(task)
    batches.set(task.name, Math.max(1, Math.min(2000, Math.round(0.25 / Math.max(ms, 1e-6)))))
  }
  const p50 = new Map<string, number[]>(tasks.map((task) => [task.name, []]))
  const means = new Map<string, number[]>(tasks.map((task) => [task.name, []]))
  const samples = new Map<string, number>(tasks.map((task) => [task.name, 0]))
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? tasks : [...tasks].reverse()
    const bench = new Bench({ time, warmup: round === 0, warmupTime, iterations: 8, warmupIterations: 4, throws: true })
    for (const task of order) bench.add(task.name, batched(task, batches.get(task.name) as number) as () => void, { async: Boolean(task.async) })
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result.state !== 'completed') throw new Error(`bench task ${task.name}: ${result.state}`)
      p50.get(task.name)?.push((result.latency.p50 ?? Number.NaN) * 1e6)
      means.get(task.name)?.push(result.latency.mean * 1e6)
      samples.set(task.name, (samples.get(task.name) ?? 0) + result.latency.samplesCount * (batches.get(task.name) ?? 0))
    }
  }
  const get =
    <T>(map: Map<string, T>) =>
    (name: string): T => {
      const value = map.get(name)
      if (value === undefined) throw new Error(`no bench task named ${name}`)
      return value
    }
  return {
    rounds,
    ns: (name) => median(get(p50)(name)),
    perRound: get(p50),
    means: get(means),
    samples: get(samples),
  }
}

/**
 * The median over rounds of `f(round)`, where `f` combines the tasks' values of one round
 * (a ratio to the floor of the same round), with its quartiles.
 */
export const perRoundMedian = (m: { rounds: number }, f: (round: number) => number): Spread => {
  const values = Array.from({ length: m.rounds }, (_, round) => f(round))
  const [q1, q3] = quartiles(values)
  return { value: median(values), q1, q3 }
}

/**
 * Mean ns per call over exactly `iterations` calls, measured with tinybench (for cold paths,
 * where each call builds a new instance). Tasks run interleaved in chunks of 25 iterations.
 */
export const measureIterations = async (tasks: BenchTask[], iterations: number): Promise<Map<string, { ns: number; p50: number; samples: number }>> => {
  const chunk = Math.min(25, iterations)
  const latencies = new Map<string, number[]>(tasks.map((task) => [task.name, []]))
  for (let done = 0; done < iterations; done += chunk) {
    const bench = new Bench({ time: 0, iterations: chunk, warmup: done === 0, warmupIterations: 5, warmupTime: 0, throws: true, retainSamples: true })
    for (const task of tasks) bench.add(task.name, task.op as () => void, { async: Boolean(task.async) })
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result.state !== 'completed') throw new Error(`bench task ${task.name}: ${result.state}`)
      latencies.get(task.name)?.push(...(result.latency.samples ?? []).map((ms) => ms * 1e6))
    }
  }
  return new Map(
    tasks.map((task) => {
      const values = latencies.get(task.name) ?? []
      return [task.name, { ns: values.reduce((a, b) => a + b, 0) / values.length, p50: median(values), samples: values.length }]
    }),
  )
}
