package ports_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/pkg/ledger/ledgertest"
	"provision.local/pkg/logging"
	"provision.local/pkg/partnerhttp"
	"provision.local/pkg/sealbox"
	"provision.local/services/insurance/internal/adapters"
	"provision.local/services/insurance/internal/app"
	"provision.local/services/insurance/internal/domain"
	"provision.local/services/insurance/internal/ports"
)

// insurer answers every reservation with one policy, or with err; requestID, when set, replaces
// the policy's request id (another reservation given the same number).
type insurer struct {
	err       error
	requestID string
}

func (f *insurer) Reserve(context.Context, string, string, domain.Reservation) (app.Issued, error) {
	if f.err != nil {
		return app.Issued{}, f.err
	}
	is := app.Issued{PolicyNumber: "DI0000000001", RequestID: "00000000-0000-4000-8000-000000000001",
		Quote: domain.Quote{AnnualFee: 19.49, MonthlyFee: 1.62}, ReservedAt: time.Now().UTC()}
	if f.requestID != "" {
		is.RequestID = f.requestID
	}
	return is, nil
}
func (f *insurer) Activate(context.Context, string, string, string, app.Activation) error {
	return f.err
}
func (f *insurer) Suspend(context.Context, string, string, string, string) error   { return f.err }
func (f *insurer) Reconnect(context.Context, string, string, string, string) error { return f.err }
func (f *insurer) Terminate(context.Context, string, string, string, string, string) error {
	return f.err
}
func (f *insurer) Cancel(context.Context, string, string, string, string) error { return f.err }

func newRouter(t *testing.T, partner *insurer) *gin.Engine {
	t.Helper()
	key, _ := sealbox.NewKey()
	raw, _ := sealbox.ParseKey(key)
	box, _ := sealbox.New(raw)
	a := app.New(adapters.PolicyRepository{Ledger: ledgertest.New[domain.Policy]()}, partner, adapters.NewSealboxVault(box))
	r := httpx.NewEngine(httpx.Options{Service: "insurance", Log: logging.NewWithOutput("insurance", "error", io.Discard)})
	ports.RegisterInternalRoutes(r, a)
	return r
}

const body = `{"documentId":"12345678Z","firstName":"Juan","email":"j@example.com","language":"es","brand":"Acme","model":"A1","price":200,"msisdn":"612345678","accountNumber":"0200051332","entity":"2100","officeCode":"0418","dc":"45"}`

func do(r http.Handler, method, path, key, payload string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

func codes(t *testing.T, w *httptest.ResponseRecorder) []string {
	t.Helper()
	var errs []httpx.Error
	if err := json.Unmarshal(w.Body.Bytes(), &errs); err != nil {
		t.Fatalf("not the error array: %s", w.Body)
	}
	var out []string
	for _, e := range errs {
		out = append(out, e.Code+":"+e.Ref)
	}
	return out
}

const base = "/internal/v1/orgs/masmovil/policies"

func TestReserve(t *testing.T) {
	tests := []struct {
		name    string
		partner *insurer
		key     string
		body    string
		status  int
		codes   string
	}{
		{"reserve200", &insurer{}, "k1", body, http.StatusOK, ""},
		{"reserve400WithoutKey", &insurer{}, "", body, http.StatusBadRequest, "IDEMPOTENCY_KEY_REQUIRED:"},
		{"reserve400PerField", &insurer{}, "k1", strings.NewReplacer(`"12345678Z"`, `"00000000F"`, `"price":200`, `"price":-2.2`, `"language":"es"`, `"language":"en"`).Replace(body),
			http.StatusBadRequest, "INVALID_DOCUMENT:documentId,INVALID_FIELD:language,INVALID_FIELD:price"},
		{"reserve400Malformed", &insurer{}, "k1", `{"price":"cheap"}`, http.StatusBadRequest, "INVALID_BODY:"},
		{"reserve422Refused", &insurer{err: &partnerhttp.Rejection{Partner: "insurance", Status: 400, Code: "INVALID_REQUEST", Message: "12345678Z"}},
			"k1", body, http.StatusUnprocessableEntity, "PARTNER_REJECTED:"},
		{"reserve502InsurerDown", &insurer{err: errors.New("insurance partner: status 503")}, "k1", body, http.StatusBadGateway, "UPSTREAM_UNAVAILABLE:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(newRouter(t, tt.partner), http.MethodPost, base+"/reserve", tt.key, tt.body)
			if w.Code != tt.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.status)
			}
			for _, v := range []string{"12345678Z", "0200051332", "612345678"} {
				if strings.Contains(w.Body.String(), v) {
					t.Errorf("the answer repeats %q: %s", v, w.Body)
				}
			}
			if tt.codes == "" {
				var r app.Reserved
				if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil || r.PolicyNumber != "DI0000000001" || r.AnnualFee != 19.49 {
					t.Errorf("answer %s", w.Body)
				}
				return
			}
			if got := strings.Join(codes(t, w), ","); got != tt.codes {
				t.Errorf("errors %s, want %s", got, tt.codes)
			}
		})
	}
}

func TestReserve_502ANumberInUse(t *testing.T) {
	partner := &insurer{}
	r := newRouter(t, partner)
	if w := do(r, http.MethodPost, base+"/reserve", "k1", body); w.Code != http.StatusOK {
		t.Fatalf("reserve: %d %s", w.Code, w.Body)
	}
	partner.requestID = "00000000-0000-4000-8000-000000000002"
	w := do(r, http.MethodPost, base+"/reserve", "k2", body)
	var errs []httpx.Error
	_ = json.Unmarshal(w.Body.Bytes(), &errs)
	if w.Code != http.StatusBadGateway || len(errs) != 1 || errs[0].Code != ports.CodeUpstreamUnavailable ||
		!strings.Contains(errs[0].Details, "already in use") {
		t.Errorf("%d %s, want 502 UPSTREAM_UNAVAILABLE naming the number in use", w.Code, w.Body)
	}
}

func TestQueries(t *testing.T) {
	r := newRouter(t, &insurer{})
	if w := do(r, http.MethodPost, base+"/reserve", "k1", body); w.Code != http.StatusOK {
		t.Fatalf("reserve: %d %s", w.Code, w.Body)
	}
	tests := []struct {
		name, path string
		status     int
	}{
		{"search200ByPhone", base + "?phoneNumber=612345678", http.StatusOK},
		{"search200ByDocumentAndPolicy", base + "?document=12345678Z&policyNumber=DI0000000001", http.StatusOK},
		{"search400WithoutCriterion", base, http.StatusBadRequest},
		{"search404", base + "?document=X1234567L", http.StatusNotFound},
		{"search404AnotherOrg", "/internal/v1/orgs/yoigo/policies?phoneNumber=612345678", http.StatusNotFound},
		{"policy200", base + "/DI0000000001", http.StatusOK},
		{"policy404", base + "/DI0000000002", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(r, http.MethodGet, tt.path, "", "")
			if w.Code != tt.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.status)
			}
			if tt.status == http.StatusNotFound && codes(t, w)[0] != ports.CodePolicyNotFound+":" {
				t.Errorf("errors %v", codes(t, w))
			}
		})
	}
	var st ports.PolicyState
	_ = json.Unmarshal(do(r, http.MethodGet, base+"/DI0000000001", "", "").Body.Bytes(), &st)
	if st != (ports.PolicyState{PolicyNumber: "DI0000000001", State: "RESERVED"}) {
		t.Errorf("policy state %+v", st)
	}
}
