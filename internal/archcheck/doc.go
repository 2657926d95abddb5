// Package archcheck holds no code: its test enforces the import layering of
// DESIGN.md, so that a user who imports client compiles models,
// go-retryablehttp and x/oauth2 and nothing of kin-openapi.
package archcheck
