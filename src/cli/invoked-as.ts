/**
 * How the user called andon, for the commands andon prints for them to run again: `npx andon`
 * under npx (in a clone, or a project that has andon as a dependency, `andon` alone is not on
 * PATH), else `andon`.
 */
export function invokedAs(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_command === 'exec' ? 'npx andon' : 'andon';
}
