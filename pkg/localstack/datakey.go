package localstack

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"provision.local/pkg/sealbox"
)

// DataKeyEnv is the variable that gives the insurance service the key that seals its personal
// data (the standard base64 of 32 bytes).
const DataKeyEnv = "INSURANCE_DATA_KEY"

// DataKeyFile is where, under the data directory, the stack keeps the insurance data key: drawn
// on the first start, reused after, so the policies sealed by one run open in the next. It is
// readable by its owner only; deleting it makes the stored personal data unreadable.
const DataKeyFile = "insurance-data.key"

// LoadOrCreateDataKey returns the key stored at path, or draws one and stores it there first.
func LoadOrCreateDataKey(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err == nil {
		key := strings.TrimSpace(string(raw))
		if _, err := sealbox.ParseKey(key); err != nil {
			return "", fmt.Errorf("data key %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read the data key: %w", err)
	}
	key, err := sealbox.NewKey()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("create the data key's directory: %w", err)
	}
	// O_EXCL: two stacks starting on one directory keep one key, the first one written.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateDataKey(path)
	}
	if err != nil {
		return "", fmt.Errorf("write the data key: %w", err)
	}
	_, werr := f.WriteString(key + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", fmt.Errorf("write the data key: %w", werr)
	}
	return key, nil
}

// withDataKey gives the insurance service, when the stack runs one whose environment names no
// data key, the key of dataDir. The services are copied: the caller's slice is not changed.
func withDataKey(services []Service, dataDir string) ([]Service, error) {
	out := slices.Clone(services)
	for i, svc := range out {
		if svc.Name != Insurance || slices.ContainsFunc(svc.Env, func(kv string) bool { return strings.HasPrefix(kv, DataKeyEnv+"=") }) {
			continue
		}
		key, err := LoadOrCreateDataKey(filepath.Join(dataDir, DataKeyFile))
		if err != nil {
			return nil, err
		}
		out[i].Env = append(slices.Clone(svc.Env), DataKeyEnv+"="+key)
	}
	return out, nil
}
