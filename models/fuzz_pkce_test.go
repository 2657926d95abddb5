package models

import (
	"strings"
	"testing"
)

// FuzzPKCE checks the RFC 7636 helpers against each other on arbitrary
// input: nothing panics; a verifier passes VerifyS256 only if it is well
// formed and hashes to the challenge; every well-formed verifier's
// S256Challenge is a challenge the server accepts and verifies; and
// ValidateCodeChallenge accepts only S256 with 43–128 base64url characters.
func FuzzPKCE(f *testing.F) {
	v := strings.Repeat("v", 43)
	for _, s := range [][3]string{
		{v, S256Challenge(v), PKCEMethodS256},
		{v, S256Challenge(v), "plain"},
		{v, v, PKCEMethodS256},
		{strings.Repeat("a", 128), S256Challenge(strings.Repeat("a", 128)), "s256"},
		{strings.Repeat("a", 129), "", ""},
		{strings.Repeat("~", 42), strings.Repeat("-", 43) + "=", PKCEMethodS256},
		{"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", PKCEMethodS256}, // RFC 7636 Appendix B
		{"\xff" + v, S256Challenge("\xff" + v), PKCEMethodS256},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, verifier, challenge, method string) {
		err := ValidateCodeChallenge(challenge, method)
		if err == nil && (method != PKCEMethodS256 || len(challenge) < MinCodeChallengeLength ||
			len(challenge) > MaxCodeChallengeLength || !isBase64URL(challenge)) {
			t.Fatalf("ValidateCodeChallenge(%q, %q) accepted", challenge, method)
		}
		if VerifyS256(challenge, verifier) {
			if !IsValidCodeVerifier(verifier) {
				t.Fatalf("malformed verifier %q verified", verifier)
			}
			if challenge != S256Challenge(verifier) {
				t.Fatalf("verifier %q verified against a challenge that is not its hash", verifier)
			}
		}
		c := S256Challenge(verifier)
		if IsValidCodeVerifier(verifier) {
			if !VerifyS256(c, verifier) {
				t.Fatalf("verifier %q does not verify against its own challenge", verifier)
			}
			if err := ValidateCodeChallenge(c, PKCEMethodS256); err != nil {
				t.Fatalf("the challenge of %q is refused: %v", verifier, err)
			}
			if VerifyS256(c, verifier+"x") && IsValidCodeVerifier(verifier+"x") {
				t.Fatalf("a longer verifier verified against %q's challenge", verifier)
			}
		} else if VerifyS256(c, verifier) {
			t.Fatalf("malformed verifier %q verified against its hash", verifier)
		}
	})
}
