// Package archcheck holds no code: its test enforces the import layering of
// docs/ARCHITECTURE.md "Import layering", so that a user who imports client compiles models,
// go-retryablehttp and x/oauth2 and nothing of kin-openapi.
package archcheck
