// AuthorizationPolicy path templates (semantics reference rule 22; VAL CheckValidPathTemplate):
// `{*}` matches one segment, `{**}` any number and must be the last operator; named
// variables, `{}`, and bare `*` inside a template are rejected.

const UNSUPPORTED = /\/\{\w+=\*\*?\}|\{\w*\}|\/\*\*?|\*\*?\//;

export function isPathTemplate(path: string): boolean {
  return path.includes('{*}') || path.includes('{**}');
}

/** Error message for an invalid template, undefined for valid templates and non-templates. */
export function pathTemplateProblem(path: string): string | undefined {
  if (!isPathTemplate(path)) return undefined;
  if (!path.startsWith('/')) return `path template "${path}" must start with "/"`;
  if (UNSUPPORTED.test(path)) return `invalid or unsupported path template "${path}": only {*} and {**} operators are supported`;
  const anyAt = path.indexOf('{**}');
  if (anyAt >= 0 && /\{\*\*?\}/.test(path.slice(anyAt + 4))) return `invalid path template "${path}": {**} must be the last operator`;
  if (path.replace(/\{\*\*?\}/g, '').includes('*')) return `invalid path template "${path}": a template may not contain a bare "*"`;
  return undefined;
}
