package service_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"provision.local/services/disney/internal/service"
)

// partitionOf is the partition the publisher's hash balancer gives key among n.
func partitionOf(key string, n int) int {
	parts := make([]int, n)
	for i := range parts {
		parts[i] = i
	}
	return (&kafka.Hash{}).Balance(kafka.Message{Key: []byte(key)}, parts...)
}

// A partner that fails for one subscription only holds up that subscription's partition: the
// creates on the other partitions complete while it keeps failing, and it completes once the
// partner recovers. Forty creates queued behind it on its own partition make sure a full
// partition queue cannot stall the others.
func TestScopedPartnerFaultHoldsUpOnlyItsPartition(t *testing.T) {
	const partitions = 4
	// The stuck create keeps retrying for as long as the test runs, so the others can only
	// complete beside it, never after it was given up.
	s := startWith(t, func(c *service.Config) { c.Consumer.RetryMaxElapsed = time.Hour })
	const stuck = "ENT-stuck"
	if code := s.partnerCall(http.MethodPut, "/admin/faults/disney", map[string]any{"status": 503, "rate": 1.0, "match": stuck}, nil); code != http.StatusOK {
		t.Fatalf("inject scoped fault: %d", code)
	}
	stuckPartition := partitionOf(stuck, partitions)

	var behind, others []string
	for i := 0; len(behind) < 40 || len(others) < 50; i++ {
		sub := fmt.Sprintf("ENT-free-%d", i)
		switch {
		case partitionOf(sub, partitions) == stuckPartition && len(behind) < 40:
			behind = append(behind, sub)
		case partitionOf(sub, partitions) != stuckPartition && len(others) < 50:
			others = append(others, sub)
		}
	}
	c := create(t, "MOO-stuck", stuck)
	s.send(c)
	s.eventually("the partner refusing the stuck subscription", func() bool { return s.partnerRequests().Faulted["create"] >= 1 })
	for _, sub := range behind {
		s.send(create(t, "MOO-"+sub, sub))
	}
	started := time.Now()
	for _, sub := range others {
		s.send(create(t, "MOO-"+sub, sub))
	}
	s.eventually("the 50 creates on other partitions", func() bool {
		for _, sub := range others {
			if st, code := s.status("MOO-"+sub, sub); code != http.StatusOK || st.Entitled != "ACTIVE" {
				return false
			}
		}
		return true
	})
	t.Logf("50 creates on other partitions completed %s after they were sent, with the stuck one still failing", time.Since(started).Round(time.Millisecond))
	if _, code := s.status("MOO-stuck", stuck); code != http.StatusNotFound {
		t.Fatalf("the faulted subscription exists already (GET %d) while its partner fails", code)
	}
	if r := s.partnerRequests(); r.Faulted["create"] < 2 {
		t.Fatalf("the stuck create was tried %d times, want retries while the others completed", r.Faulted["create"])
	}

	if code := s.partnerCall(http.MethodDelete, "/admin/faults/disney", nil, nil); code != http.StatusNoContent {
		t.Fatalf("clear fault: %d", code)
	}
	if op := s.waitOperation(c.ID()); op.Status != "COMPLETED" {
		t.Fatalf("stuck create: %+v, want COMPLETED once the partner recovered", op)
	}
	s.eventually("the creates queued behind the stuck one", func() bool {
		for _, sub := range behind {
			if _, code := s.status("MOO-"+sub, sub); code != http.StatusOK {
				return false
			}
		}
		return true
	})
	if r := s.partnerRequests(); r.Effects["create"] != 1+len(behind)+len(others) {
		t.Fatalf("partner created %d entitlements, want %d", r.Effects["create"], 1+len(behind)+len(others))
	}
}
