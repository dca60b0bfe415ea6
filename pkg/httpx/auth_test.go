package httpx_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
)

func TestParseTokens(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string][]string
		wantErr string
	}{
		{
			name: "parsedWithMultiOrgToken",
			in:   "dev-masmovil=masmovil, dev-yoigo=yoigo ,ops=masmovil|yoigo,",
			want: map[string][]string{"dev-masmovil": {"masmovil"}, "dev-yoigo": {"yoigo"}, "ops": {"masmovil", "yoigo"}},
		},
		{name: "errEmpty", in: " , ", wantErr: "no tokens"},
		{name: "errNoEquals", in: "secret-token", wantErr: "entry 1"},
		{name: "errNoOrg", in: "a=x,b=|", wantErr: "entry 2: no org"},
		{name: "errEmptyToken", in: "=yoigo", wantErr: "entry 1"},
		{name: "errRepeatedToken", in: "a=x,a=y", wantErr: "repeated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := httpx.ParseTokens(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "secret-token") {
					t.Errorf("error quotes the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	tokens, err := httpx.ParseTokens("dev-masmovil=masmovil,dev-yoigo=yoigo,ops=masmovil|yoigo")
	if err != nil {
		t.Fatal(err)
	}
	e, _ := newEngine(t, 0)
	var ran bool
	var orgs []string
	g := e.Group("/v2/orgs/:org", httpx.Authenticate(tokens, "org"))
	g.POST("/things", func(c *gin.Context) {
		ran = true
		orgs = httpx.Orgs(c)
		c.Status(http.StatusAccepted)
	})
	httpx.RegisterProbes(e)

	tests := []struct {
		name     string
		path     string
		auth     string
		status   int
		wantOrgs []string
	}{
		{name: "auth401MissingToken", path: "/v2/orgs/yoigo/things", status: http.StatusUnauthorized},
		{name: "auth401WrongScheme", path: "/v2/orgs/yoigo/things", auth: "Basic ZGV2LXlvaWdvOng=", status: http.StatusUnauthorized},
		{name: "auth401EmptyBearer", path: "/v2/orgs/yoigo/things", auth: "Bearer  ", status: http.StatusUnauthorized},
		{name: "auth401WrongToken", path: "/v2/orgs/yoigo/things", auth: "Bearer dev-yoigo2", status: http.StatusUnauthorized},
		{name: "auth401TokenPrefix", path: "/v2/orgs/yoigo/things", auth: "Bearer dev-yoig", status: http.StatusUnauthorized},
		{name: "auth403OtherOrg", path: "/v2/orgs/masmovil/things", auth: "Bearer dev-yoigo", status: http.StatusForbidden},
		{name: "auth403UnknownOrg", path: "/v2/orgs/acme/things", auth: "Bearer ops", status: http.StatusForbidden},
		{name: "auth202RightOrg", path: "/v2/orgs/yoigo/things", auth: "Bearer dev-yoigo", status: http.StatusAccepted, wantOrgs: []string{"yoigo"}},
		{name: "auth202SchemeCaseInsensitive", path: "/v2/orgs/yoigo/things", auth: "bearer dev-yoigo", status: http.StatusAccepted, wantOrgs: []string{"yoigo"}},
		{name: "auth202MultiOrgToken", path: "/v2/orgs/yoigo/things", auth: "Bearer ops", status: http.StatusAccepted, wantOrgs: []string{"masmovil", "yoigo"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ran, orgs = false, nil
			h := http.Header{}
			if tc.auth != "" {
				h.Set("Authorization", tc.auth)
			}
			w := do(e, http.MethodPost, tc.path, "", h)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d", w.Code, tc.status)
			}
			if tc.wantOrgs != nil {
				if !ran || !reflect.DeepEqual(orgs, tc.wantOrgs) {
					t.Errorf("handler ran=%v with orgs %v, want %v", ran, orgs, tc.wantOrgs)
				}
				return
			}
			if ran {
				t.Error("handler ran for a rejected request")
			}
			errs := seedBody(t, w)
			switch tc.status {
			case http.StatusUnauthorized:
				if got := w.Header().Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				if errs[0].Code != httpx.CodeUnauthorized {
					t.Errorf("code = %q", errs[0].Code)
				}
			case http.StatusForbidden:
				if errs[0].Code != httpx.CodeForbidden {
					t.Errorf("code = %q", errs[0].Code)
				}
			}
		})
	}

	t.Run("probesNeedNoToken", func(t *testing.T) {
		if w := do(e, http.MethodGet, "/healthz", "", nil); w.Code != http.StatusOK {
			t.Fatalf("status = %d", w.Code)
		}
	})
}
