package ports

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/pkg/httpx"
	"provision.local/pkg/ledger"
	"provision.local/pkg/logging"
	"provision.local/services/disney/internal/app"
	"provision.local/services/disney/internal/domain"
)

// SubscriptionStatus is the seed's Disney SubscriptionStatus.
type SubscriptionStatus struct {
	Entitled     string   `json:"entitled"`
	Cancellation string   `json:"cancellation,omitempty"`
	Products     []string `json:"products"`
	Activated    string   `json:"activated"`
	LastUpdated  string   `json:"lastUpdated"`
}

// OperationView is what the internal API says about a command.
type OperationView struct {
	CommandID      string          `json:"commandId"`
	Status         string          `json:"status"`
	Operation      string          `json:"operation,omitempty"`
	SubscriptionID string          `json:"subscriptionId,omitempty"`
	Error          *ledger.Failure `json:"error,omitempty"`
	UpdatedAt      *time.Time      `json:"updatedAt,omitempty"`
	// Fingerprint is the digest of the request that issued the command and At when it was
	// executed: the ingress tells a reused Idempotency-Key from a retry by them.
	Fingerprint string     `json:"fingerprint,omitempty"`
	At          *time.Time `json:"at,omitempty"`
}

// RegisterInternalRoutes mounts the API the ingress calls for queries and synchronous operations.
// It is not exposed outside the cluster; tenant checks are the ingress's, and every route is
// scoped by org.
func RegisterInternalRoutes(r *gin.Engine, a *app.App) {
	g := r.Group("/internal/v1/orgs/:org")
	sub := g.Group("/users/:user/subscriptions/:sub")
	sub.GET("", func(c *gin.Context) {
		s, err := a.Subscription(c.Request.Context(), c.Param("org"), c.Param("user"), c.Param("sub"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, StatusOf(s))
	})
	sub.GET("/history", func(c *gin.Context) {
		ops, err := a.History(c.Request.Context(), c.Param("org"), c.Param("user"), c.Param("sub"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"operations": ops})
	})
	sub.POST("/activation_url", func(c *gin.Context) {
		var req app.ActivationURLRequest
		if !httpx.BindJSON(c, &req) {
			return
		}
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			httpx.Abort(c, http.StatusBadRequest, httpx.Error{Code: "IDEMPOTENCY_KEY_REQUIRED", Title: "BAD_REQUEST", Details: "the Idempotency-Key header is required"})
			return
		}
		u, err := a.ActivationURL(c.Request.Context(), key, c.Param("org"), c.Param("user"), c.Param("sub"), req)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, u)
	})
	g.GET("/operations/:id", func(c *gin.Context) {
		st, err := a.Operation(c.Request.Context(), c.Param("org"), c.Param("id"))
		if app.IsNotFound(err) {
			// Its own code: the ingress tells "no record yet" from a missing route by it.
			httpx.Fail(c, http.StatusNotFound, httpx.CodeOperationNotFound, "no record of this command")
			return
		}
		if err != nil {
			writeError(c, err)
			return
		}
		v := OperationView{CommandID: c.Param("id"), Status: st.Status}
		if op := st.Operation; op != nil {
			v.Operation, v.Error, v.UpdatedAt = op.Operation, op.Failure, &op.At
			v.Fingerprint, v.At = op.Fingerprint, &op.At
			v.SubscriptionID, _ = strings.CutPrefix(op.AggregateID, domain.Key(op.Org, ""))
		}
		c.JSON(http.StatusOK, v)
	})
}

// StatusOf renders a subscription as the seed's SubscriptionStatus.
func StatusOf(s domain.Subscription) SubscriptionStatus {
	return SubscriptionStatus{
		Entitled:     string(s.Entitled),
		Cancellation: string(s.Cancellation),
		Products:     s.Products,
		Activated:    string(s.Activated),
		LastUpdated:  s.LastUpdated.UTC().Format(time.RFC3339),
	}
}

// writeError is the one place that maps this service's errors to HTTP answers.
func writeError(c *gin.Context, err error) {
	var te *domain.TransitionError
	var pr *app.PartnerRejection
	switch {
	case app.IsNotFound(err):
		httpx.Abort(c, http.StatusNotFound, httpx.Error{Code: "SUBSCRIPTION_NOT_FOUND", Title: "NOT_FOUND", Details: "no such subscription for this user"})
	case errors.As(err, &te):
		httpx.Abort(c, http.StatusConflict, httpx.Error{Code: "INVALID_TRANSITION", Title: "OPERATION_NOT_ALLOWED", Details: te.Error()})
	case errors.As(err, &pr):
		httpx.Abort(c, http.StatusUnprocessableEntity, httpx.Error{Code: "PARTNER_REJECTED", Title: "PARTNER_ERROR", Details: pr.Error()})
	case c.Request.Context().Err() != nil:
		httpx.Abort(c, http.StatusServiceUnavailable, httpx.Error{Code: "CANCELED", Title: "SERVICE_UNAVAILABLE", Details: "the request was canceled"})
	default:
		logging.FromContext(c.Request.Context()).WithError(err).Error("internal request failed")
		httpx.Abort(c, http.StatusBadGateway, httpx.Error{Code: "UPSTREAM_UNAVAILABLE", Title: "SERVICE_UNAVAILABLE", Details: "the partner or the store did not answer; retry later"})
	}
}
