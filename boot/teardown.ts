// What a start opened, closed last-first. A start that fails half-way closes
// what it had opened so far: a leaked Redis or database connection would keep
// the process (a test file, `berth serve`) alive after the error.
export class Teardown {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  /** Runs every step even when one fails; the first failure is thrown at the end. */
  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (e) {
        first ??= e;
      }
    }
    if (first !== undefined) throw first;
  }
}
