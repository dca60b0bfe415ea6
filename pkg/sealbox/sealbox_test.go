package sealbox_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"provision.local/pkg/sealbox"
)

func newBox(t *testing.T, previous ...[]byte) (*sealbox.Box, []byte) {
	t.Helper()
	b64, err := sealbox.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sealbox.ParseKey(b64)
	if err != nil {
		t.Fatal(err)
	}
	box, err := sealbox.New(raw, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return box, raw
}

func TestSealOpen_RoundTripsWithAFreshNoncePerValue(t *testing.T) {
	box, _ := newBox(t)
	secret := []byte("ES91 2100 0418 4502 0005 1332")
	a, err := box.Seal(secret, []byte("org/DI0000000001"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := box.Seal(secret, []byte("org/DI0000000001"))
	if a == b {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	if strings.Contains(a, "2100") || !strings.HasPrefix(a, "v1."+box.KeyID()+".") {
		t.Errorf("sealed %q: want v1.<key id>.<ciphertext>, no plaintext", a)
	}
	got, err := box.Open(a, []byte("org/DI0000000001"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Errorf("Open = %q, %v", got, err)
	}
}

func TestOpen_Refuses(t *testing.T) {
	box, _ := newBox(t)
	other, _ := newBox(t)
	sealed, _ := box.Seal([]byte("1234567890"), []byte("ctx"))
	// A character in the middle of the ciphertext, swapped for another base64 character.
	flipped := []byte(sealed)
	mid := len(flipped) - 10
	if flipped[mid] == 'A' {
		flipped[mid] = 'B'
	} else {
		flipped[mid] = 'A'
	}
	otherSealed, _ := other.Seal([]byte("x"), []byte("ctx"))
	for _, tc := range []struct {
		name, sealed, context string
		want                  error
	}{
		{"another context", sealed, "ctx2", sealbox.ErrOpen},
		{"an altered ciphertext", string(flipped), "ctx", sealbox.ErrOpen},
		{"another box's key", otherSealed, "ctx", sealbox.ErrUnknownKey},
		{"plain text", "1234567890", "ctx", sealbox.ErrMalformed},
		{"a truncated value", sealed[:len("v1.")+8+1+4], "ctx", sealbox.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := box.Open(tc.sealed, []byte(tc.context))
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRotation_OldValuesOpenAndOldTokensMatch(t *testing.T) {
	old, oldRaw := newBox(t)
	sealed, _ := old.Seal([]byte("secret"), nil)
	oldToken := old.Token("phone", "612345678")

	rotated, _ := newBox(t, oldRaw)
	if rotated.KeyID() == old.KeyID() {
		t.Fatal("the new key has the old key's id")
	}
	if got, err := rotated.Open(sealed, nil); err != nil || string(got) != "secret" {
		t.Errorf("a value sealed before the rotation: %q, %v", got, err)
	}
	tokens := rotated.Tokens("phone", "612345678")
	if len(tokens) != 2 || tokens[0] != rotated.Token("phone", "612345678") || tokens[1] != oldToken {
		t.Errorf("tokens %v, want the new key's then the old key's %s", tokens, oldToken)
	}
	again, _ := rotated.Seal([]byte("secret"), nil)
	if !strings.HasPrefix(again, "v1."+rotated.KeyID()+".") {
		t.Errorf("a new seal %q is not under the current key", again)
	}
}

func TestToken_IsKeyedAndPurposeBound(t *testing.T) {
	box, _ := newBox(t)
	other, _ := newBox(t)
	a := box.Token("phone", "612345678")
	if a != box.Token("phone", "612345678") {
		t.Error("a token is not stable")
	}
	if strings.Contains(a, "612345678") {
		t.Errorf("token %q contains the value", a)
	}
	for name, b := range map[string]string{
		"another value":   box.Token("phone", "612345679"),
		"another purpose": box.Token("document", "612345678"),
		"another key":     other.Token("phone", "612345678"),
		"a shifted split": box.Token("phon", "e612345678"),
	} {
		if b == a {
			t.Errorf("%s gives the same token", name)
		}
	}
}

func TestParseKey_RefusesAnythingBut32Bytes(t *testing.T) {
	for _, s := range []string{"", "not base64!", "c2hvcnQ=", strings.Repeat("A", 64)} {
		if _, err := sealbox.ParseKey(s); !errors.Is(err, sealbox.ErrInvalidKey) {
			t.Errorf("ParseKey(%q) = %v, want ErrInvalidKey", s, err)
		}
	}
	if _, err := sealbox.New(make([]byte, 16)); !errors.Is(err, sealbox.ErrInvalidKey) {
		t.Errorf("New with 16 bytes = %v", err)
	}
}
