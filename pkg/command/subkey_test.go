package command

import (
	"bytes"
	"testing"
)

// The workflow mac, command ids and request digests each have their own key, none of them the
// secret itself.
func TestSubkeysDiffer(t *testing.T) {
	w := NewWorkflows("k3y")
	named := map[string][]byte{"secret": []byte("k3y"), "mac": w.macKey, "id": w.idKey, "digest": w.digestKey}
	for a, ka := range named {
		for b, kb := range named {
			if a < b && bytes.Equal(ka, kb) {
				t.Errorf("%s and %s share a key", a, b)
			}
		}
	}
	if other := NewWorkflows("other"); bytes.Equal(other.idKey, w.idKey) || bytes.Equal(other.digestKey, w.digestKey) || bytes.Equal(other.macKey, w.macKey) {
		t.Errorf("another secret derives a same subkey")
	}
}
