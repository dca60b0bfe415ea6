package adapters

import (
	"encoding/json"
	"fmt"

	"provision.local/pkg/sealbox"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
)

// SealboxVault seals the insured with AES-256-GCM (pkg/sealbox), bound to the policy's store id
// so a sealed value moved to another policy does not open, and makes the search tokens with its
// keyed hash.
type SealboxVault struct {
	box *sealbox.Box
}

var _ app.Vault = SealboxVault{}

// NewSealboxVault returns the vault over box.
func NewSealboxVault(box *sealbox.Box) SealboxVault { return SealboxVault{box: box} }

// Seal encrypts the insured of a policy.
func (v SealboxVault) Seal(org, policyNumber string, in domain.Insured) (string, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("seal the insured: %w", err)
	}
	return v.box.Seal(raw, []byte(domain.Key(org, policyNumber)))
}

// Open decrypts the insured of a policy.
func (v SealboxVault) Open(p domain.Policy) (domain.Insured, error) {
	raw, err := v.box.Open(p.Sealed, []byte(domain.Key(p.Org, p.PolicyNumber)))
	if err != nil {
		return domain.Insured{}, fmt.Errorf("open the insured of %s: %w", p.PolicyNumber, err)
	}
	var in domain.Insured
	if err := json.Unmarshal(raw, &in); err != nil {
		return domain.Insured{}, fmt.Errorf("read the insured of %s: %w", p.PolicyNumber, err)
	}
	return in, nil
}

// Token is the current key's hash of a value.
func (v SealboxVault) Token(purpose, value string) string { return v.box.Token(purpose, value) }

// Tokens are every key's hash of a value.
func (v SealboxVault) Tokens(purpose, value string) []string { return v.box.Tokens(purpose, value) }
