package httpx

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// ParseTokens reads AUTH_TOKENS: comma-separated token=org entries, several orgs joined by "|",
// e.g. "dev-masmovil=masmovil,dev-yoigo=yoigo,ops=masmovil|yoigo". Errors never quote a token.
func ParseTokens(s string) (map[string][]string, error) {
	out := map[string][]string{}
	var errs []error
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		token, orgList, ok := strings.Cut(entry, "=")
		token = strings.TrimSpace(token)
		if !ok || token == "" {
			errs = append(errs, fmt.Errorf("entry %d: want token=org[|org...]", i+1))
			continue
		}
		if _, dup := out[token]; dup {
			errs = append(errs, fmt.Errorf("entry %d: token repeated", i+1))
			continue
		}
		var orgs []string
		for org := range strings.SplitSeq(orgList, "|") {
			if org = strings.TrimSpace(org); org != "" && !slices.Contains(orgs, org) {
				orgs = append(orgs, org)
			}
		}
		if len(orgs) == 0 {
			errs = append(errs, fmt.Errorf("entry %d: no org", i+1))
			continue
		}
		out[token] = orgs
	}
	if len(errs) == 0 && len(out) == 0 {
		errs = append(errs, errors.New("no tokens"))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("auth tokens: %w", errors.Join(errs...))
	}
	return out, nil
}

const ctxOrgs = "httpx.orgs"

// Orgs returns the orgs the request's token may act for (set by Authenticate).
func Orgs(c *gin.Context) []string {
	orgs, _ := c.Get(ctxOrgs)
	s, _ := orgs.([]string)
	return s
}

type tokenEntry struct {
	digest [sha256.Size]byte
	orgs   []string
}

// Authenticate checks "Authorization: Bearer <token>" against tokens (token → orgs). A missing,
// malformed or unknown token gets 401 with WWW-Authenticate: Bearer. When orgParam names a path
// parameter, a known token whose orgs do not include that parameter's value gets 403 and the
// handler does not run. Install it on the routes that need it, not on the whole engine, or the
// probes would need a token too.
func Authenticate(tokens map[string][]string, orgParam string) gin.HandlerFunc {
	entries := make([]tokenEntry, 0, len(tokens))
	for t, orgs := range tokens {
		entries = append(entries, tokenEntry{digest: sha256.Sum256([]byte(t)), orgs: slices.Clone(orgs)})
	}
	return func(c *gin.Context) {
		token, ok := bearer(c.GetHeader("Authorization"))
		if !ok {
			unauthorized(c, "a Bearer token is required")
			return
		}
		orgs, ok := lookup(entries, token)
		if !ok {
			unauthorized(c, "the token is not valid")
			return
		}
		if orgParam != "" && !slices.Contains(orgs, c.Param(orgParam)) {
			Fail(c, http.StatusForbidden, CodeForbidden, "the token may not act for this org")
			return
		}
		c.Set(ctxOrgs, orgs)
		c.Next()
	}
}

func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// lookup compares fixed-size digests against every entry without stopping early, so the time
// taken says nothing about how much of a token was right or which entry matched.
func lookup(entries []tokenEntry, token string) ([]string, bool) {
	d := sha256.Sum256([]byte(token))
	var found []string
	for i := range entries {
		if subtle.ConstantTimeCompare(d[:], entries[i].digest[:]) == 1 {
			found = entries[i].orgs
		}
	}
	return found, found != nil
}

func unauthorized(c *gin.Context, details string) {
	c.Header("WWW-Authenticate", "Bearer")
	Fail(c, http.StatusUnauthorized, CodeUnauthorized, details)
}
