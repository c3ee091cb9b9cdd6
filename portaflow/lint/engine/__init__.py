"""The shared lint engine: module index, scopes and name resolution, the function walker, the call graph."""
