// Package sealbox protects personal fields at rest with the standard library only: AES-256-GCM
// sealing (a random nonce per value, the key's id in the sealed value so keys can rotate) and
// keyed-hash tokens (HMAC-SHA256) that let a store find a record by a personal value without
// keeping the value in plain text.
//
// A Box holds a current key, which seals and tokenizes, and any number of previous keys, which
// still open what they sealed and still find what they tokenized. Rotating is: make the new key
// current, keep the old one as previous until every record was rewritten under the new one.
package sealbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// version prefixes every sealed value, so the format itself can change later.
const version = "v1"

// Errors of the package. Their texts never include a key or a value.
var (
	ErrInvalidKey = errors.New("sealbox: a key must be the standard base64 of 32 bytes")
	ErrMalformed  = errors.New("sealbox: not a sealed value")
	ErrUnknownKey = errors.New("sealbox: sealed under a key this box does not hold")
	ErrOpen       = errors.New("sealbox: the value does not open (altered, or sealed for another context)")
)

// key is one key with what is derived from it: a sealing key and a token key, so the AES key is
// never used as an HMAC key too.
type key struct {
	id    string
	aead  cipher.AEAD
	token []byte
}

// Box seals, opens and tokenizes values. It is safe for concurrent use.
type Box struct {
	current key
	byID    map[string]key
}

// ParseKey decodes a key given as the standard base64 of 32 bytes (an environment variable).
func ParseKey(b64 string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(raw) != KeySize {
		return nil, ErrInvalidKey
	}
	return raw, nil
}

// NewKey draws a random key and returns it as ParseKey reads it.
func NewKey() (string, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("sealbox: draw a key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// New returns a box that seals under current and opens under current and previous.
func New(current []byte, previous ...[]byte) (*Box, error) {
	b := &Box{byID: map[string]key{}}
	for i, raw := range append([][]byte{current}, previous...) {
		k, err := newKey(raw)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			b.current = k
		}
		if _, dup := b.byID[k.id]; !dup {
			b.byID[k.id] = k
		}
	}
	return b, nil
}

func newKey(raw []byte) (key, error) {
	if len(raw) != KeySize {
		return key{}, ErrInvalidKey
	}
	block, err := aes.NewCipher(derive(raw, "seal"))
	if err != nil {
		return key{}, fmt.Errorf("sealbox: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, fmt.Errorf("sealbox: %w", err)
	}
	return key{id: hex.EncodeToString(derive(raw, "id")[:4]), aead: aead, token: derive(raw, "token")}, nil
}

// derive is HMAC-SHA256 of a purpose under the key: independent subkeys from one secret.
func derive(raw []byte, purpose string) []byte {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("provision sealbox " + purpose))
	return m.Sum(nil)
}

// KeyID is the id of the current key, as sealed values carry it; it reveals nothing of the key.
func (b *Box) KeyID() string { return b.current.id }

// Seal encrypts plaintext under the current key with a fresh random nonce. context binds the
// value to where it belongs (for example the record's id): it is authenticated, not stored, and
// Open needs the same one, so a sealed value copied to another record does not open.
// The result is "v1.<key id>.<base64url(nonce ‖ ciphertext)>".
func (b *Box) Seal(plaintext, context []byte) (string, error) {
	nonce := make([]byte, b.current.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("sealbox: draw a nonce: %w", err)
	}
	sealed := b.current.aead.Seal(nonce, nonce, plaintext, context)
	return version + "." + b.current.id + "." + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open decrypts a value Seal returned, under whichever of the box's keys sealed it.
func (b *Box) Open(sealed string, context []byte) ([]byte, error) {
	v, rest, ok := strings.Cut(sealed, ".")
	if !ok || v != version {
		return nil, ErrMalformed
	}
	id, body, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, ErrMalformed
	}
	k, ok := b.byID[id]
	if !ok {
		return nil, ErrUnknownKey
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return nil, ErrMalformed
	}
	n := k.aead.NonceSize()
	out, err := k.aead.Open(nil, raw[:n], raw[n:], context)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// Token is the keyed hash of value for purpose (for example "phone") under the current key: the
// same inputs give the same token, which a store can index and match, while the value cannot be
// recovered from it or guessed without the key.
func (b *Box) Token(purpose, value string) string { return b.current.tokenOf(purpose, value) }

// Tokens are the tokens of value under every key of the box, the current one first: a search
// matches records tokenized before a rotation too.
func (b *Box) Tokens(purpose, value string) []string {
	out := []string{b.current.tokenOf(purpose, value)}
	for id, k := range b.byID {
		if id != b.current.id {
			out = append(out, k.tokenOf(purpose, value))
		}
	}
	return out
}

func (k key) tokenOf(purpose, value string) string {
	m := hmac.New(sha256.New, k.token)
	// The purpose is length-prefixed so ("ab","c") and ("a","bc") differ.
	fmt.Fprintf(m, "%d:%s:%s", len(purpose), purpose, value)
	return k.id + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
