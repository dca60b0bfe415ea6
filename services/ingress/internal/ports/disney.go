package ports

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/events"
	"provision.local/pkg/command"
	"provision.local/pkg/httpx"
	"provision.local/services/ingress/internal/adapters"
	"provision.local/services/ingress/internal/app"
)

// idPattern bounds the user and subscription ids that reach topics, keys and documents.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

var countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)

const maxProducts, maxProductLength = 32, 128

func registerDisney(org *gin.RouterGroup, api API) {
	corr := httpx.RequireCorrelationID()
	users := org.Group("/tv/disney/users/:user_id", validIDs)
	users.POST("", corr, api.createDisney)
	users.POST("/callbacks/activate", api.disneyActivationCallback)
	sub := users.Group("/subscriptions/:subscription_id", corr)
	sub.GET("", api.getDisney)
	sub.PATCH("", productsCommand[events.DisneyModifySubscription](api, events.OpModify, events.TypeDisneyModifySubscription))
	sub.DELETE("", api.terminateDisney)
	sub.POST("/suspend", productsCommand[events.DisneySuspendSubscription](api, events.OpSuspend, events.TypeDisneySuspendSubscription))
	sub.POST("/reactivate", productsCommand[events.DisneyReactivateSubscription](api, events.OpReactivate, events.TypeDisneyReactivateSubscription))
	sub.POST("/activation_url", api.disneyActivationURL)
}

// validIDs rejects path ids that could not be a user or subscription id.
func validIDs(c *gin.Context) {
	for _, p := range []string{"user_id", "subscription_id"} {
		if v, ok := c.Params.Get(p); ok && !idPattern.MatchString(v) {
			badRequest(c, "INVALID_PATH_PARAMETER", fmt.Sprintf("%s must be 1-128 letters, digits, '.', '_' or '-'", p))
			return
		}
	}
}

type productsBody struct {
	Products []string `json:"products"`
}

type createBody struct {
	SubscriptionID string   `json:"subscriptionId"`
	Products       []string `json:"products"`
}

// validProducts checks the seed's required products list.
func validProducts(c *gin.Context, products []string) bool {
	if len(products) == 0 {
		badRequest(c, "INVALID_FIELD", "products is required and must hold at least one product identifier")
		return false
	}
	if len(products) > maxProducts {
		badRequest(c, "INVALID_FIELD", fmt.Sprintf("products holds at most %d product identifiers", maxProducts))
		return false
	}
	seen := make(map[string]bool, len(products))
	for i, p := range products {
		switch {
		case strings.TrimSpace(p) == "":
			badRequest(c, "INVALID_FIELD", fmt.Sprintf("products[%d] must not be empty", i))
			return false
		case len(p) > maxProductLength:
			badRequest(c, "INVALID_FIELD", fmt.Sprintf("products[%d] is longer than %d characters", i, maxProductLength))
			return false
		case seen[p]:
			badRequest(c, "INVALID_FIELD", fmt.Sprintf("products[%d] repeats %q", i, p))
			return false
		}
		seen[p] = true
	}
	return true
}

// submitDisney publishes a Disney command keyed by its subscription.
func (api API) submitDisney(c *gin.Context, operation, ceType, subscriptionID string, payload any) (app.Accepted, bool) {
	return api.submit(c, app.Command{
		Provider:     events.ProviderDisney,
		Operation:    operation,
		Target:       c.Param("user_id") + "/" + subscriptionID,
		Type:         ceType,
		PartitionKey: subscriptionID,
		Payload:      payload,
	})
}

func (api API) createDisney(c *gin.Context) {
	var b createBody
	if !httpx.BindJSON(c, &b) {
		return
	}
	if b.SubscriptionID == "" {
		badRequest(c, "INVALID_FIELD", "subscriptionId is required")
		return
	}
	if !idPattern.MatchString(b.SubscriptionID) {
		badRequest(c, "INVALID_FIELD", "subscriptionId must be 1-128 letters, digits, '.', '_' or '-'")
		return
	}
	if !validProducts(c, b.Products) {
		return
	}
	a, ok := api.submitDisney(c, events.OpCreate, events.TypeDisneyCreateSubscription, b.SubscriptionID,
		events.DisneyCreateSubscription{Org: c.Param("org"), UserID: c.Param("user_id"), SubscriptionID: b.SubscriptionID, Products: b.Products})
	if ok {
		accepted(c, a, "Subscription creation accepted")
	}
}

// productsPayload is a Disney command whose payload is the subscription and its products.
type productsPayload interface {
	events.DisneyModifySubscription | events.DisneySuspendSubscription | events.DisneyReactivateSubscription
}

// productsCommand handles the commands whose body is the seed's {"products"}: modify, suspend
// and reactivate. They differ only in their operation and CloudEvent type.
func productsCommand[P productsPayload](api API, operation, ceType string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var b productsBody
		if !httpx.BindJSON(c, &b) || !validProducts(c, b.Products) {
			return
		}
		sub := c.Param("subscription_id")
		payload := P(events.DisneyModifySubscription{Org: c.Param("org"), UserID: c.Param("user_id"), SubscriptionID: sub, Products: b.Products})
		if a, ok := api.submitDisney(c, operation, ceType, sub, payload); ok {
			noContent(c, a)
		}
	}
}

func (api API) terminateDisney(c *gin.Context) {
	product, given := c.GetQuery("product")
	if given && (strings.TrimSpace(product) == "" || len(product) > maxProductLength) {
		badRequest(c, "INVALID_QUERY_PARAMETER", fmt.Sprintf("product must be a product identifier of 1-%d characters", maxProductLength))
		return
	}
	sub := c.Param("subscription_id")
	if a, ok := api.submitDisney(c, events.OpTerminate, events.TypeDisneyTerminateSubscription, sub,
		events.DisneyTerminateSubscription{Org: c.Param("org"), UserID: c.Param("user_id"), SubscriptionID: sub, Product: product}); ok {
		noContent(c, a)
	}
}

// disneyActivationCallback is Disney's notification that the user activated. It names no
// subscription, so it is keyed by the user.
//
// The seed sends it without a Request-Correlation-Id. The command id is derived from the
// correlation id, so the request's own (the client's, or the one generated for this request) is
// used: with an empty one every callback of a user would get the same id forever and the
// consumer's deduplication would drop all but the first (a second subscription activated later
// would never be linked).
func (api API) disneyActivationCallback(c *gin.Context) {
	org, user := c.Param("org"), c.Param("user_id")
	if a, ok := api.submit(c, app.Command{
		Provider:     events.ProviderDisney,
		Operation:    events.OpActivationCallback,
		Target:       user,
		Type:         events.TypeDisneyActivationCallback,
		PartitionKey: user,
		Payload:      events.DisneyActivationCallback{Org: org, UserID: user},
	}); ok {
		noContent(c, a)
	}
}

func (api API) getDisney(c *gin.Context) {
	s, err := api.Disney.Subscription(c.Request.Context(), c.Param("org"), c.Param("user_id"), c.Param("subscription_id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, s)
}

type activationURLBody struct {
	Products   []string `json:"products"`
	Country    string   `json:"country"`
	ExpireDate string   `json:"expireDate"`
}

func (api API) disneyActivationURL(c *gin.Context) {
	var b activationURLBody
	if !httpx.BindJSON(c, &b) || !validProducts(c, b.Products) {
		return
	}
	if !countryPattern.MatchString(b.Country) {
		badRequest(c, "INVALID_FIELD", "country is required: a two-letter ISO 3166-1 code such as ES")
		return
	}
	expire, err := time.Parse(time.RFC3339, b.ExpireDate)
	if err != nil {
		badRequest(c, "INVALID_FIELD", "expireDate is required: an ISO-8601 date-time such as 2021-01-01T00:00:00Z")
		return
	}
	org, user, sub := c.Param("org"), c.Param("user_id"), c.Param("subscription_id")
	canonical, _ := json.Marshal(b)
	key := command.NewID(org, "disney.activation_url", user+"/"+sub, httpx.CorrelationID(c), canonical)
	u, err := api.Disney.ActivationURL(c.Request.Context(), key, org, user, sub,
		adapters.ActivationURLRequest{Products: b.Products, Country: b.Country, ExpireDate: expire})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, u)
}
