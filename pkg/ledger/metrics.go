package ledger

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// operationsTotal counts commands by outcome, once each: redeliveries are not counted again.
var operationsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "provision_operations_total",
	Help: "Commands executed, by operation and outcome (COMPLETED or FAILED); redeliveries are not counted.",
}, []string{"operation", "outcome"})
