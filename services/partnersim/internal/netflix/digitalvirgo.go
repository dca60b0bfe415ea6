package netflix

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"provision.local/services/partnersim/internal/sim"
)

type phoneRequest struct {
	PhoneNumber string `json:"phone_number"`
	PAI         string `json:"pai"`
}

// PhoneAnswer is the answer of a digitalvirgo enrolment: the account's PAI, as the seed says.
type PhoneAnswer struct {
	ID PAI `json:"id"`
}

func (a *API) enrolPhone(c *gin.Context, body []byte) sim.Response {
	var in phoneRequest
	if err := sim.Decode(body, &in, true); err != nil {
		return a.fail(err)
	}
	res := a.update(c, func(acc Account, now time.Time) (Account, error) {
		return acc.EnrolPhone(in.PhoneNumber, in.PAI, now)
	})
	if res.Status != http.StatusOK {
		return res
	}
	return sim.Effect(sim.JSON(http.StatusCreated, PhoneAnswer{ID: PAI(c.Param("pai"))}))
}

func (a *API) removePhone(c *gin.Context, _ []byte) sim.Response {
	res := a.update(c, func(acc Account, now time.Time) (Account, error) {
		return acc.RemovePhone(c.Param("phone"), now)
	})
	if res.Status != http.StatusOK {
		return res
	}
	return sim.Effect(sim.Response{Status: http.StatusNoContent})
}
