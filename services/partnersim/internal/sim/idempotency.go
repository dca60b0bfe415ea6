package sim

// storedResponse is the first answer given under an idempotency key, kept to be replayed.
type storedResponse struct {
	method   string
	path     string
	response Response
}

// idempotencyStore maps a key to its first answer. It is guarded by the partner's lock, because
// the lookup, the state change and the store must be one step. Keys are kept for the life of the
// process, which is what a simulator needs.
type idempotencyStore map[string]storedResponse

// lookup returns the stored answer for key, whether the key was seen, and whether it was seen
// with the same method and path.
func (s idempotencyStore) lookup(key, method, path string) (Response, bool, bool) {
	rec, ok := s[key]
	if !ok {
		return Response{}, false, false
	}
	return rec.response, true, rec.method == method && rec.path == path
}

// remember stores resp unless it is a server error: a partner that failed did not commit, so a
// retry with the same key must be processed again.
func (s idempotencyStore) remember(key, method, path string, resp Response) {
	if resp.Status >= 500 {
		return
	}
	s[key] = storedResponse{method: method, path: path, response: resp}
}
