/**
 * The npm package name of a new project, from its folder's name: lower case, only the characters npm
 * allows, not starting with `.` or `_`, at most 214 characters.
 */
export function projectNameFrom(folderName: string): string {
  const name = folderName
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214);
  return name === '' ? 'ic-ws-app' : name;
}
