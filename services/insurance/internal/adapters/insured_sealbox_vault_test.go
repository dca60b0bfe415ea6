package adapters_test

import (
	"errors"
	"strings"
	"testing"

	"provision.local/pkg/sealbox"
	"provision.local/services/insurance/internal/adapters"
	"provision.local/services/insurance/internal/domain"
)

func TestSealboxVault_SealsBoundToThePolicy(t *testing.T) {
	key, _ := sealbox.NewKey()
	raw, _ := sealbox.ParseKey(key)
	box, _ := sealbox.New(raw)
	v := adapters.NewSealboxVault(box)
	in := domain.Insured{Document: "12345678Z", Phone: "612345678", Email: "j@example.com", IMEI: "356938035643809"}
	sealed, err := v.Seal("masmovil", "DI0000000001", in)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{in.Document, in.Phone, in.Email, in.IMEI} {
		if strings.Contains(sealed, s) {
			t.Errorf("sealed value contains %q", s)
		}
	}
	got, err := v.Open(domain.Policy{Org: "masmovil", PolicyNumber: "DI0000000001", Sealed: sealed})
	if err != nil || got != in {
		t.Errorf("Open = %+v, %v", got, err)
	}
	if _, err := v.Open(domain.Policy{Org: "masmovil", PolicyNumber: "DI0000000002", Sealed: sealed}); !errors.Is(err, sealbox.ErrOpen) {
		t.Errorf("the insured moved to another policy opened: %v", err)
	}
	if v.Token("phone", in.Phone) != v.Tokens("phone", in.Phone)[0] {
		t.Error("the current token is not the first a search matches")
	}
}
