package hbo

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/services/partnersim/internal/sim"
)

// Name is the partner's name and URL prefix.
const Name = "hbo"

// Operations of the HBO API, the keys of the request counts.
const (
	OpCreate        sim.Operation = "create"
	OpGet           sim.Operation = "get"
	OpProducts      sim.Operation = "products"
	OpActivate      sim.Operation = "activate"
	OpSuspend       sim.Operation = "suspend"
	OpReactivate    sim.Operation = "reactivate"
	OpCancel        sim.Operation = "cancel"
	OpActivationURL sim.Operation = "activation_url"
	OpActivateLink  sim.Operation = "activate_link"
)

// ActivationTTL is how long an activation link can be opened.
const ActivationTTL = 24 * time.Hour

// API is the simulated HBO partner.
type API struct {
	partner       *sim.Partner
	subscriptions *sim.Table[Subscription]
	// activations are the issued activation links, by the key of their subscription.
	activations *sim.Links[string]
}

// New returns the HBO partner; cfg.Name is set to Name.
func New(cfg sim.Config) *API {
	cfg.Name = Name
	return &API{
		partner:       sim.NewPartner(cfg),
		subscriptions: sim.NewTable[Subscription](),
		activations:   sim.NewLinks[string](rand.Text),
	}
}

// Partner is the sim core of this partner (faults, request log).
func (a *API) Partner() *sim.Partner { return a.partner }

// Register mounts the partner API on r, which is the /hbo group.
func (a *API) Register(r gin.IRouter) {
	p := a.partner
	r.POST("/v1/orgs/:org/subscriptions", p.Route(OpCreate, true, a.create))
	sub := r.Group("/v1/orgs/:org/subscriptions/:id")
	sub.GET("", p.Route(OpGet, false, a.get))
	sub.PATCH("/products", p.Route(OpProducts, true, a.products))
	sub.POST("/activate", p.Route(OpActivate, true, a.activate))
	sub.POST("/suspend", p.Route(OpSuspend, true, a.suspend))
	sub.POST("/reactivate", p.Route(OpReactivate, true, a.reactivate))
	sub.POST("/cancel", p.Route(OpCancel, true, a.cancel))
	sub.POST("/activation-urls", p.Route(OpActivationURL, true, a.activationURL))
	r.GET("/activate/:token", p.Route(OpActivateLink, false, a.activateLink))
}

// RegisterAdmin mounts the debugging endpoints on r, which is the /admin group.
func (a *API) RegisterAdmin(r gin.IRouter) {
	r.GET("/subscriptions/"+Name, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"partner": Name, "subscriptions": a.Subscriptions()})
	})
}

// Subscriptions lists every subscription in creation order.
func (a *API) Subscriptions() []Subscription {
	var out []Subscription
	a.partner.Read(func() { out = a.subscriptions.All() })
	return out
}

type createRequest struct {
	ServiceID  string    `json:"serviceId"`
	ExternalID string    `json:"externalId"`
	Country    string    `json:"country"`
	Products   []Product `json:"products"`
}

type productsRequest struct {
	Add    []Product `json:"add"`
	Remove []string  `json:"remove"`
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

type activationURLResponse struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expiresAt"`
}

func key(org, id string) string { return org + "/" + id }

func (a *API) create(c *gin.Context, body []byte) sim.Response {
	var in createRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	s, err := NewSubscription(c.Param("org"), in.ServiceID, in.ExternalID, in.Country, in.Products, a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	if _, ok := a.subscriptions.Get(key(s.Org, s.ServiceID)); ok {
		return a.fail(fmt.Errorf("%w: %q", ErrExists, s.ServiceID))
	}
	a.subscriptions.Put(key(s.Org, s.ServiceID), s)
	return sim.Effect(sim.JSON(http.StatusCreated, s))
}

func (a *API) get(c *gin.Context, _ []byte) sim.Response {
	s, err := a.find(key(c.Param("org"), c.Param("id")))
	if err != nil {
		return a.fail(err)
	}
	return sim.JSON(http.StatusOK, s)
}

func (a *API) products(c *gin.Context, body []byte) sim.Response {
	var in productsRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	if len(in.Add) == 0 && len(in.Remove) == 0 {
		return a.fail(sim.Invalid("add or remove at least one product"))
	}
	return a.update(c, func(s Subscription, now time.Time) (Subscription, error) {
		return s.ChangeProducts(in.Add, in.Remove, now)
	})
}

func (a *API) activate(c *gin.Context, body []byte) sim.Response {
	if err := sim.Decode(body, &struct{}{}, false); err != nil {
		return a.fail(err)
	}
	s, err := a.find(key(c.Param("org"), c.Param("id")))
	if err != nil {
		return a.fail(err)
	}
	next, changed, err := s.Activate(a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	a.subscriptions.Put(key(s.Org, s.ServiceID), next)
	resp := sim.JSON(http.StatusOK, next)
	resp.Effect = changed
	return resp
}

func (a *API) suspend(c *gin.Context, body []byte) sim.Response {
	var in reasonRequest
	if err := sim.Decode(body, &in, false); err != nil {
		return a.fail(err)
	}
	return a.update(c, func(s Subscription, now time.Time) (Subscription, error) { return s.Suspend(in.Reason, now) })
}

func (a *API) reactivate(c *gin.Context, body []byte) sim.Response {
	if err := sim.Decode(body, &struct{}{}, false); err != nil {
		return a.fail(err)
	}
	return a.update(c, func(s Subscription, now time.Time) (Subscription, error) { return s.Reactivate(now) })
}

func (a *API) cancel(c *gin.Context, body []byte) sim.Response {
	var in reasonRequest
	if err := sim.Decode(body, &in, false); err != nil {
		return a.fail(err)
	}
	return a.update(c, func(s Subscription, now time.Time) (Subscription, error) { return s.Cancel(in.Reason, now) })
}

// activationURL issues a link the customer opens to activate the subscription. Any subscription
// but a cancelled one gets one: opening it on an active subscription changes nothing.
func (a *API) activationURL(c *gin.Context, body []byte) sim.Response {
	if err := sim.Decode(body, &struct{}{}, false); err != nil {
		return a.fail(err)
	}
	k := key(c.Param("org"), c.Param("id"))
	s, err := a.find(k)
	if err != nil {
		return a.fail(err)
	}
	if s.State == StateCancelled {
		return a.fail(ErrCancelled)
	}
	expires := a.partner.Now().Add(ActivationTTL)
	token := a.activations.Issue(k, expires)
	return sim.Effect(sim.JSON(http.StatusCreated, activationURLResponse{
		URL:       fmt.Sprintf("http://%s/%s/activate/%s", c.Request.Host, Name, token),
		ExpiresAt: expires.Format(time.RFC3339),
	}))
}

const activatedPage = `<!doctype html>
<html><head><title>HBO Max</title></head>
<body><p>Your HBO Max subscription is active. You can close this page.</p></body></html>
`

// activateLink is what the customer's browser opens. It counts as an effect only when it
// activates.
func (a *API) activateLink(c *gin.Context, _ []byte) sim.Response {
	now := a.partner.Now()
	k, err := a.activations.Open(c.Param("token"), now)
	if err != nil {
		return a.fail(err)
	}
	s, err := a.find(k)
	if err != nil {
		return a.fail(err)
	}
	next, changed, err := s.Activate(now)
	if err != nil {
		return a.fail(err)
	}
	a.subscriptions.Put(k, next)
	return sim.Response{Status: http.StatusOK, ContentType: "text/html; charset=utf-8", Body: []byte(activatedPage), Effect: changed}
}

func (a *API) find(k string) (Subscription, error) {
	s, ok := a.subscriptions.Get(k)
	if !ok {
		return Subscription{}, fmt.Errorf("%w: %q", ErrNotFound, k)
	}
	return s, nil
}

// update applies change to the subscription of the path and answers 200 with the result.
func (a *API) update(c *gin.Context, change func(Subscription, time.Time) (Subscription, error)) sim.Response {
	k := key(c.Param("org"), c.Param("id"))
	s, err := a.find(k)
	if err != nil {
		return a.fail(err)
	}
	next, err := change(s, a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	a.subscriptions.Put(k, next)
	return sim.Effect(sim.JSON(http.StatusOK, next))
}

func (a *API) fail(err error) sim.Response { return a.partner.ErrorResponse(err, errorCodes) }
