package netflix

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/sirupsen/logrus"

	"provision.local/services/partnersim/internal/sim"
)

// Name is the partner's name and URL prefix.
const Name = "netflix"

// Operations of the Netflix API, the keys of the request counts.
const (
	OpEnrol            sim.Operation = "enrol"
	OpGet              sim.Operation = "get"
	OpChangePlan       sim.Operation = "change_plan"
	OpSuspend          sim.Operation = "suspend"
	OpReactivate       sim.Operation = "reactivate"
	OpCancel           sim.Operation = "cancel"
	OpStatus           sim.Operation = "status"
	OpToken            sim.Operation = "token"
	OpActivateLink     sim.Operation = "activate_link"
	OpDigitalVirgo     sim.Operation = "digitalvirgo_enrol"
	OpDigitalVirgoDrop sim.Operation = "digitalvirgo_delete"
	OpReports          sim.Operation = "reports"
)

// Options are the Netflix partner's settings beyond the sim core's.
type Options struct {
	// PublicURL is the base of the securitized URLs, such as http://127.0.0.1:8090; empty means
	// the scheme-less host the token request came in on, which suits an in-process server.
	PublicURL string
	Callback  CallbackConfig
	// Logger receives the callback delivery's failures; nil discards them.
	Logger *logrus.Logger
}

// API is the simulated Netflix partner.
type API struct {
	partner   *sim.Partner
	publicURL string
	accounts  *sim.Table[Account]
	tokens    *sim.Links[token]
	feed      *feed
	deliverer *deliverer
}

// New returns the Netflix partner; cfg.Name is set to Name.
func New(cfg sim.Config, opts Options) *API {
	cfg.Name = Name
	log := opts.Logger
	if log == nil {
		log = logrus.New()
		log.SetOutput(io.Discard)
	}
	cb := opts.Callback.withDefaults()
	f := newFeed()
	return &API{
		partner:   sim.NewPartner(cfg),
		publicURL: opts.PublicURL,
		accounts:  sim.NewTable[Account](),
		tokens:    sim.NewLinks[token](uuid.NewString),
		feed:      f,
		deliverer: &deliverer{cfg: cb, feed: f, client: &http.Client{}, log: log},
	}
}

// Partner is the sim core of this partner (faults, request log).
func (a *API) Partner() *sim.Partner { return a.partner }

// Run pushes reports to the callback until ctx is done; without a callback it only waits.
func (a *API) Run(ctx context.Context) {
	if a.deliverer.cfg.URL == "" {
		<-ctx.Done()
		return
	}
	a.deliverer.run(ctx)
}

// Register mounts the partner API on r, which is the /netflix group.
func (a *API) Register(r gin.IRouter) {
	p := a.partner
	accounts := "/v1/orgs/:org/accounts"
	account := accounts + "/:pai"
	r.POST(accounts, p.Route(OpEnrol, true, a.enrol))
	r.GET(account, p.Route(OpGet, false, a.get))
	r.PATCH(account, p.Route(OpChangePlan, true, a.changePlan))
	r.POST(account+"/suspend", p.Route(OpSuspend, true, a.suspend))
	r.POST(account+"/reactivate", p.Route(OpReactivate, true, a.reactivate))
	r.POST(account+"/cancel", p.Route(OpCancel, true, a.cancel))
	r.GET(account+"/status", p.Route(OpStatus, false, a.status))
	r.POST(account+"/tokens", p.Route(OpToken, true, a.issueToken))
	r.POST(account+"/digitalvirgo", p.Route(OpDigitalVirgo, true, a.enrolPhone))
	r.DELETE(account+"/digitalvirgo/:phone", p.Route(OpDigitalVirgoDrop, true, a.removePhone))
	r.GET("/activate", p.Route(OpActivateLink, false, a.activateLink))
	r.GET("/v1/reports", p.Route(OpReports, false, a.reports))
}

// RegisterAdmin mounts the debugging endpoints on r, which is the /admin group.
func (a *API) RegisterAdmin(r gin.IRouter) {
	r.GET("/accounts/"+Name, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"partner": Name, "accounts": a.Accounts()})
	})
	r.GET("/reports/"+Name, func(c *gin.Context) {
		c.JSON(http.StatusOK, a.Delivery())
	})
}

// Accounts lists every account in enrolment order.
func (a *API) Accounts() []Account {
	var out []Account
	a.partner.Read(func() { out = a.accounts.All() })
	return out
}

// Delivery is the state of the callback delivery.
func (a *API) Delivery() Delivery { return a.feed.delivery(a.deliverer.cfg.URL) }

type suspendRequest struct {
	ExternalID     string `json:"external_id"`
	SuspendEventID string `json:"suspend_event_id"`
	Reason         string `json:"reason"`
}

type reactivateRequest struct {
	ExternalID        string `json:"external_id"`
	ReactivateEventID string `json:"reactivate_event_id"`
}

type cancelRequest struct {
	ExternalID    string `json:"external_id"`
	CancelEventID string `json:"cancel_event_id"`
	CancelReason  string `json:"cancel_reason"`
}

// Status is the answer of the status query, in the seed's shape.
type Status struct {
	HasPartnerMOP bool   `json:"has_partner_mop"`
	ProductType   string `json:"product_type"`
	Subscription  struct {
		Plan Plan `json:"plan"`
	} `json:"subscription"`
	Bundle struct {
		ID      string `json:"id"`
		OfferID string `json:"offer_id"`
		Status  string `json:"status"`
	} `json:"bundle"`
}

// ProductType is the product every enrolled account has.
const ProductType = "BUNDLE"

func (a *API) enrol(c *gin.Context, body []byte) sim.Response {
	var in Enrolment
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	org := c.Param("org")
	acc, err := NewAccount(org, in, uuid.NewString(), a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	// A canceled account may be enrolled again: the customer came back.
	if old, ok := a.accounts.Get(accountKey(org, acc.PAI)); ok && old.State != StateCanceled {
		return a.fail(fmt.Errorf("%w: %s for org %s", ErrAccountEnrolled, acc.PAI, org))
	}
	a.accounts.Put(accountKey(org, acc.PAI), acc)
	return sim.Effect(sim.JSON(http.StatusCreated, acc))
}

func (a *API) get(c *gin.Context, _ []byte) sim.Response {
	acc, err := a.find(c.Param("org"), c.Param("pai"))
	if err != nil {
		return a.fail(err)
	}
	return sim.JSON(http.StatusOK, acc)
}

func (a *API) status(c *gin.Context, _ []byte) sim.Response {
	acc, err := a.find(c.Param("org"), c.Param("pai"))
	if err != nil {
		return a.fail(err)
	}
	var s Status
	s.HasPartnerMOP = acc.State != StateCanceled
	s.ProductType = ProductType
	s.Subscription.Plan = PlanOf(acc.OfferID)
	s.Bundle.ID = acc.BundleID
	s.Bundle.OfferID = acc.OfferID
	s.Bundle.Status = acc.BundleStatus()
	return sim.JSON(http.StatusOK, s)
}

func (a *API) changePlan(c *gin.Context, body []byte) sim.Response {
	var in PlanChange
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	return a.update(c, func(acc Account, now time.Time) (Account, error) { return acc.ChangePlan(in, now) })
}

func (a *API) suspend(c *gin.Context, body []byte) sim.Response {
	var in suspendRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	return a.update(c, func(acc Account, now time.Time) (Account, error) {
		return acc.Suspend(in.SuspendEventID, in.Reason, now)
	})
}

func (a *API) reactivate(c *gin.Context, body []byte) sim.Response {
	var in reactivateRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	return a.update(c, func(acc Account, now time.Time) (Account, error) {
		return acc.Reactivate(in.ReactivateEventID, now)
	})
}

func (a *API) cancel(c *gin.Context, body []byte) sim.Response {
	var in cancelRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	return a.update(c, func(acc Account, now time.Time) (Account, error) {
		return acc.Cancel(in.CancelEventID, in.CancelReason, now)
	})
}

// update applies change to the path's account and answers 200 with the result.
func (a *API) update(c *gin.Context, change func(Account, time.Time) (Account, error)) sim.Response {
	acc, err := a.find(c.Param("org"), c.Param("pai"))
	if err != nil {
		return a.fail(err)
	}
	next, err := change(acc, a.partner.Now())
	if err != nil {
		return a.fail(err)
	}
	a.accounts.Put(accountKey(acc.Org, acc.PAI), next)
	return sim.Effect(sim.JSON(http.StatusOK, next))
}

// find returns the account of org and pai, validating both as they come from a path.
func (a *API) find(org, pai string) (Account, error) {
	if err := ValidateOrg(org); err != nil {
		return Account{}, err
	}
	if !PAI(pai).Valid() {
		return Account{}, sim.Invalid("the partner account id of the path must be 1-19 decimal digits")
	}
	acc, ok := a.accounts.Get(accountKey(org, PAI(pai)))
	if !ok {
		return Account{}, fmt.Errorf("%w: %s for org %s", ErrAccountNotFound, pai, org)
	}
	return acc, nil
}

// accountKey is an account's key in the table: a PAI is enrolled once per org.
func accountKey(org string, pai PAI) string { return org + "/" + string(pai) }

func (a *API) fail(err error) sim.Response { return a.partner.ErrorResponse(err, errorCodes) }
