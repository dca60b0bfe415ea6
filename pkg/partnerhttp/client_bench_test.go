package partnerhttp

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkCallConcurrent calls a partner from as many goroutines as a busy consumer has
// partitions in flight, to show the cost of the connection handling.
func BenchmarkCallConcurrent(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"e1"}`)
	}))
	b.Cleanup(srv.Close)
	c := New(Config{Partner: "bench", BaseURL: srv.URL, Timeout: 5 * time.Second})
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			var out thing
			if err := c.Call(b.Context(), http.MethodPost, "/v1/things", "key-1", thing{ID: "e1"}, &out); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
