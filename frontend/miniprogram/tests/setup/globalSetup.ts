/**
 * Runs once in Jest's parent process, before the workers start (they inherit the
 * environment): dates in the tests are written for China Standard Time.
 */
export default function globalSetup(): void {
  process.env.TZ = 'Asia/Shanghai';
}
