// RE2 validity for the controller's validators: the scanner/translator lives in api/re2.ts
// (shared with the waypoint, which compiles the same patterns for matching).
export { re2Problem } from '../../api/re2.js';
