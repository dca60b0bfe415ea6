package disney

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/services/partnersim/internal/sim"
)

// Name is the partner's name and URL prefix.
const Name = "disney"

// Operations of the Disney API, the keys of the request counts.
const (
	OpCreate         sim.Operation = "create"
	OpGet            sim.Operation = "get"
	OpModifyProducts sim.Operation = "modify_products"
	OpSuspend        sim.Operation = "suspend"
	OpReactivate     sim.Operation = "reactivate"
	OpCancel         sim.Operation = "cancel"
	OpActivationURL  sim.Operation = "activation_url"
	OpActivation     sim.Operation = "activation"
	OpActivateLink   sim.Operation = "activate_link"
)

// DefaultActivationTTL applies when an activation-url request names no expireDate.
const DefaultActivationTTL = 24 * time.Hour

// API is the simulated Disney partner.
type API struct {
	partner      *sim.Partner
	entitlements *sim.Table[Entitlement]
	// activations are the issued activation links, by the id of their entitlement.
	activations *sim.Links[string]
}

// New returns the Disney partner; cfg.Name is set to Name.
func New(cfg sim.Config) *API {
	cfg.Name = Name
	return &API{
		partner:      sim.NewPartner(cfg),
		entitlements: sim.NewTable[Entitlement](),
		activations:  sim.NewLinks[string](rand.Text),
	}
}

// Partner is the sim core of this partner (faults, request log).
func (a *API) Partner() *sim.Partner { return a.partner }

// Register mounts the partner API on r, which is the /disney group.
func (a *API) Register(r gin.IRouter) {
	p := a.partner
	r.POST("/v1/entitlements", p.Route(OpCreate, true, a.create))
	r.GET("/v1/entitlements/:id", p.Route(OpGet, false, a.get))
	r.PUT("/v1/entitlements/:id/products", p.Route(OpModifyProducts, true, a.modifyProducts))
	r.POST("/v1/entitlements/:id/suspend", p.Route(OpSuspend, true, a.suspend))
	r.POST("/v1/entitlements/:id/reactivate", p.Route(OpReactivate, true, a.reactivate))
	r.POST("/v1/entitlements/:id/cancel", p.Route(OpCancel, true, a.cancel))
	r.POST("/v1/entitlements/:id/activation-urls", p.Route(OpActivationURL, true, a.activationURL))
	r.POST("/v1/entitlements/:id/activation", p.Route(OpActivation, true, a.activation))
	r.GET("/activate/:token", p.Route(OpActivateLink, false, a.activateLink))
}

// RegisterAdmin mounts the debugging endpoints on r, which is the /admin group.
func (a *API) RegisterAdmin(r gin.IRouter) {
	r.GET("/entitlements/"+Name, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"partner": Name, "entitlements": a.Entitlements()})
	})
}

// Entitlements lists every entitlement in creation order.
func (a *API) Entitlements() []Entitlement {
	var out []Entitlement
	a.partner.Read(func() { out = a.entitlements.All() })
	return out
}

type createRequest struct {
	EntitlementID string   `json:"entitlementId"`
	UserID        string   `json:"userId"`
	Provider      string   `json:"provider"`
	Products      []string `json:"products"`
}

type productsRequest struct {
	Products []string `json:"products"`
}

type cancelRequest struct {
	Product string `json:"product"`
	Reason  string `json:"reason"`
}

type activationURLRequest struct {
	Products   []string `json:"products"`
	Country    string   `json:"country"`
	ExpireDate string   `json:"expireDate"`
}

type activationURLResponse struct {
	URL        string `json:"url"`
	ExpiryDate string `json:"expiryDate"`
}

func (a *API) create(_ *gin.Context, body []byte) sim.Response {
	var in createRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	e, err := NewEntitlement(in.EntitlementID, in.UserID, in.Provider, in.Products, a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	if _, ok := a.entitlements.Get(e.EntitlementID); ok {
		return a.fail(fmt.Errorf("%w: %q", ErrEntitlementExists, e.EntitlementID))
	}
	a.entitlements.Put(e.EntitlementID, e)
	return sim.Effect(sim.JSON(http.StatusCreated, e))
}

func (a *API) get(c *gin.Context, _ []byte) sim.Response {
	e, err := a.find(c.Param("id"))
	if err != nil {
		return a.fail(err)
	}
	return sim.JSON(http.StatusOK, e)
}

func (a *API) modifyProducts(c *gin.Context, body []byte) sim.Response {
	var in productsRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	return a.update(c.Param("id"), func(e Entitlement, now time.Time) (Entitlement, error) {
		return e.WithProducts(in.Products, now)
	})
}

func (a *API) suspend(c *gin.Context, body []byte) sim.Response {
	var in productsRequest
	if err := sim.Decode(body, &in, false); err != nil {
		return a.fail(err)
	}
	return a.update(c.Param("id"), func(e Entitlement, now time.Time) (Entitlement, error) {
		return e.Suspend(in.Products, now)
	})
}

func (a *API) reactivate(c *gin.Context, body []byte) sim.Response {
	var in productsRequest
	if err := sim.Decode(body, &in, false); err != nil {
		return a.fail(err)
	}
	return a.update(c.Param("id"), func(e Entitlement, now time.Time) (Entitlement, error) {
		return e.Reactivate(in.Products, now)
	})
}

func (a *API) cancel(c *gin.Context, body []byte) sim.Response {
	var in cancelRequest
	if err := sim.Decode(body, &in, false); err != nil {
		return a.fail(err)
	}
	return a.update(c.Param("id"), func(e Entitlement, now time.Time) (Entitlement, error) {
		return e.Cancel(in.Product, now)
	})
}

func (a *API) activation(c *gin.Context, body []byte) sim.Response {
	if err := sim.Decode(body, &struct{}{}, false); err != nil {
		return a.fail(err)
	}
	return a.update(c.Param("id"), func(e Entitlement, now time.Time) (Entitlement, error) {
		linked, _, err := e.Link(now)
		return linked, err
	})
}

func (a *API) activationURL(c *gin.Context, body []byte) sim.Response {
	var in activationURLRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	now := a.partner.Now()
	expires := now.Add(DefaultActivationTTL)
	if in.ExpireDate != "" {
		t, err := time.Parse(time.RFC3339, in.ExpireDate)
		if err != nil {
			return a.fail(sim.Invalid("expireDate must be an RFC 3339 date-time"))
		}
		// A date already past is accepted, as the seed's own example sends one: the link is
		// issued and simply cannot be opened.
		expires = t.UTC()
	}
	if err := validateCountry(in.Country); err != nil {
		return a.fail(err)
	}
	e, err := a.find(c.Param("id"))
	if err != nil {
		return a.fail(err)
	}
	if err := e.CanIssueActivation(in.Products); err != nil {
		return a.fail(err)
	}
	token := a.activations.Issue(e.EntitlementID, expires)
	return sim.Effect(sim.JSON(http.StatusCreated, activationURLResponse{
		URL:        fmt.Sprintf("http://%s/%s/activate/%s", c.Request.Host, Name, token),
		ExpiryDate: expires.Format(time.RFC3339),
	}))
}

const activatedPage = `<!doctype html>
<html><head><title>Disney+</title></head>
<body><p>Your Disney+ account is activated. You can close this page.</p></body></html>
`

// activateLink is what the user's browser opens. It counts as an effect only when it links.
func (a *API) activateLink(c *gin.Context, _ []byte) sim.Response {
	now := a.partner.Now()
	id, err := a.activations.Open(c.Param("token"), now)
	if err != nil {
		return a.fail(err)
	}
	e, err := a.find(id)
	if err != nil {
		return a.fail(err)
	}
	linked, changed, err := e.Link(now)
	if err != nil {
		return a.fail(err)
	}
	a.entitlements.Put(linked.EntitlementID, linked)
	return sim.Response{
		Status:      http.StatusOK,
		ContentType: "text/html; charset=utf-8",
		Body:        []byte(activatedPage),
		Effect:      changed,
	}
}

func (a *API) find(id string) (Entitlement, error) {
	e, ok := a.entitlements.Get(id)
	if !ok {
		return Entitlement{}, fmt.Errorf("%w: %q", ErrEntitlementNotFound, id)
	}
	return e, nil
}

// update applies change to the entitlement id and answers 200 with the result.
func (a *API) update(id string, change func(Entitlement, time.Time) (Entitlement, error)) sim.Response {
	e, err := a.find(id)
	if err != nil {
		return a.fail(err)
	}
	next, err := change(e, a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	a.entitlements.Put(id, next)
	return sim.Effect(sim.JSON(http.StatusOK, next))
}

func (a *API) fail(err error) sim.Response { return a.partner.ErrorResponse(err, errorCodes) }
