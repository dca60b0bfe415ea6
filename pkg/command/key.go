package command

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// KeyNamespace is the UUIDv5 namespace of the command ids made from a client's idempotency key.
// It differs from Namespace, so a keyed id never equals a derived one. Never change it.
var KeyNamespace = uuid.MustParse("5c0e2f9a-8b14-4d3e-a6f1-2e7b9c4d1a08")

// MaxKeyLen bounds an idempotency key (after unquoting): it is hashed, never stored, but a bound
// keeps the header small and the limit documented.
const MaxKeyLen = 255

// ErrInvalidKey means an Idempotency-Key header value that is not a key.
var ErrInvalidKey = errors.New("invalid idempotency key")

// ParseKey reads an Idempotency-Key header value. The IETF draft makes it a structured-field
// string ("8e03978e-..." with the quotes); a bare value, as many clients send, is taken as is.
// Either way the key is 1-255 printable ASCII characters, not all spaces. `"abc"` and `abc` are
// the same key.
func ParseKey(header string) (string, error) {
	key := strings.TrimSpace(header)
	if len(key) >= 2 && key[0] == '"' {
		var err error
		if key, err = unquote(key); err != nil {
			return "", err
		}
	}
	switch {
	case strings.TrimSpace(key) == "":
		return "", fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLen:
		return "", fmt.Errorf("%w: longer than %d characters", ErrInvalidKey, MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", fmt.Errorf("%w: only printable ASCII characters are allowed", ErrInvalidKey)
		}
	}
	return key, nil
}

// unquote reads an RFC 8941 sf-string: DQUOTE *chars DQUOTE, where a backslash escapes only a
// DQUOTE or a backslash.
func unquote(s string) (string, error) {
	if len(s) < 2 || s[len(s)-1] != '"' {
		return "", fmt.Errorf("%w: unterminated quoted string", ErrInvalidKey)
	}
	var b strings.Builder
	for i := 1; i < len(s)-1; i++ {
		switch c := s[i]; c {
		case '\\':
			i++
			if i == len(s)-1 || (s[i] != '"' && s[i] != '\\') {
				return "", fmt.Errorf("%w: a backslash may only escape '\"' or '\\'", ErrInvalidKey)
			}
			b.WriteByte(s[i])
		case '"':
			return "", fmt.Errorf("%w: unescaped quote inside the quoted string", ErrInvalidKey)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// NewKeyedID returns the id of a command sent with an idempotency key: a UUIDv5 over org,
// provider and the key. The same key of the same org at the same provider is the same command,
// whatever the request; a key is scoped to its org and provider. It is not keyed with the
// platform's secret: the client chose the key to name its command, and the request is not in it.
func NewKeyedID(org, provider, key string) string {
	return uuid.NewSHA1(KeyNamespace, encode([]byte(org), []byte(provider), []byte(key))).String()
}
