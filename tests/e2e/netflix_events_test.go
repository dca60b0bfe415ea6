package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// netflixEvents reads one page of org's Netflix events through the ingress (call checks the
// answer against the document).
func netflixEvents(t *testing.T, org string, query url.Values) response {
	t.Helper()
	return call(t, http.MethodGet, "/v2/orgs/"+org+"/tv/netflix/subscriptions/events?"+query.Encode(),
		map[string]string{"Authorization": "Bearer dev-" + org, "Request-Correlation-Id": "e2e-netflix-events"}, "")
}

func window(start, end time.Time) url.Values {
	return url.Values{"startTimestamp": {strconv.FormatInt(start.Unix(), 10)}, "endTimestamp": {strconv.FormatInt(end.Unix(), 10)}}
}

// Create → geturl → open the securitized URL: the bundle's BUNDLE_ACTIVATION is in the events
// endpoint, with the seed's fields.
func TestNetflixEvents_ActivationIsListed(t *testing.T) {
	const org, pai = "yoigo", "9876543210123456"
	headers := map[string]string{"Authorization": "Bearer dev-" + org, "Request-Correlation-Id": "e2e-netflix-events-activation"}
	start := time.Now().Add(-time.Minute)
	r := call(t, http.MethodPost, "/v2/orgs/"+org+"/tv/netflix/subscriptions", headers, `{"billing_event_id":"billing-events-1",
		"bundle_id":"bundle-events-1","netflix_offer_id":"2106f808-36e9-402d-bf37-f1f7fa04776b","partner_account_id":`+pai+`}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if wf := waitWorkflowOf(t, org, r.Header.Get("Workflow-Id")); wf.Status != "COMPLETED" {
		t.Fatalf("create: %+v", wf)
	}
	r = call(t, http.MethodPost, "/v2/orgs/"+org+"/tv/netflix/subscriptions/"+pai+"/geturl", headers,
		`{"token_error_url":"https://www.example.com/error/token","type":"BUNDLE"}`)
	var tok struct {
		URL string `json:"requested_securitized_url"`
	}
	r.json(t, &tok)
	res, err := http.Get(tok.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	type event struct {
		BundleID           string      `json:"bundle_id"`
		EventType          string      `json:"event_type"`
		NetflixEventID     string      `json:"netflix_event_id"`
		PartnerAccountID   json.Number `json:"partner_account_id"`
		PartnerReferenceID string      `json:"partner_reference_id"`
		Timestamp          int64       `json:"timestamp"`
	}
	var found *event
	eventually(t, 60*time.Second, "the activation in the events endpoint", func() bool {
		q := window(start, time.Now().Add(-time.Second))
		q.Set("events", "BUNDLE_ACTIVATION")
		for {
			r := netflixEvents(t, org, q)
			if r.Status != http.StatusOK {
				t.Fatalf("events: %d %s", r.Status, r.Body)
			}
			var page struct {
				Events []event `json:"events"`
				Next   string  `json:"next_page_offset"`
			}
			d := json.NewDecoder(bytes.NewReader(r.Body))
			d.UseNumber()
			if err := d.Decode(&page); err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Events {
				if e.PartnerAccountID.String() == pai {
					found = &e
					return true
				}
			}
			if page.Next == "" {
				return false
			}
			q.Set("offset", page.Next)
		}
	})
	if found.EventType != "BUNDLE_ACTIVATION" || found.BundleID != "bundle-events-1" || found.PartnerReferenceID != "billing-events-1" ||
		found.NetflixEventID == "" || found.Timestamp < start.Unix() {
		t.Fatalf("activation %+v", found)
	}
}

// The endpoint's rules: each bad request answers 400 in the seed's error body.
func TestNetflixEvents_BadInput400(t *testing.T) {
	now := time.Now()
	with := func(q url.Values, k, v string) url.Values {
		q.Set(k, v)
		return q
	}
	tests := []struct {
		name  string
		query url.Values
		code  string
	}{
		{"startOlderThan14Days", window(now.Add(-15*24*time.Hour), now.Add(-time.Hour)), "INVALID_START_TIMESTAMP"},
		{"endTooRecent", window(now.Add(-time.Hour), now.Add(time.Hour)), "INVALID_END_TIMESTAMP"},
		{"endBeforeStart", window(now.Add(-time.Hour), now.Add(-2*time.Hour)), "INVALID_END_TIMESTAMP"},
		{"unknownEventType", with(window(now.Add(-time.Hour), now.Add(-30*time.Minute)), "events", "BUNDLE_ACTIVATION,BUNDLE_UPGRADE"), ""},
		{"lowerCaseEventType", with(window(now.Add(-time.Hour), now.Add(-30*time.Minute)), "events", "bundle_activation"), ""},
		{"forgedOffset", with(window(now.Add(-time.Hour), now.Add(-30*time.Minute)), "offset", "7hysgqtGuaiqbVyqiIaNhjqqqq811lsU=="), "INVALID_OFFSET"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := netflixEvents(t, "masmovil", tc.query)
			if r.Status != http.StatusBadRequest {
				t.Fatalf("%s: %d %s, want 400", tc.query.Encode(), r.Status, r.Body)
			}
			assertSeedErrors(t, r)
			if code := errorCode(t, r); tc.code != "" && code != tc.code {
				t.Fatalf("code %s, want %s", code, tc.code)
			}
		})
	}
}
