package app

import (
	"provision.local/events"
	"provision.local/services/hbo/internal/domain"
)

// products are the domain's products of a command's.
func products(in []events.HBOProduct) []domain.Product {
	out := make([]domain.Product, len(in))
	for i, p := range in {
		out[i] = domain.Product{
			Code: p.Code, Name: p.Name, Starts: p.Starts, Renews: p.Renews, Expires: p.Expires, SubID: p.SubID, TrxID: p.TrxID,
		}
	}
	return out
}

// EventProducts are a subscription's products as events and answers carry them: each product's
// status is its subscription's, so every lifecycle step shows on them.
func EventProducts(s domain.Subscription) []events.HBOProduct {
	out := make([]events.HBOProduct, len(s.Products))
	for i, p := range s.Products {
		out[i] = events.HBOProduct{
			Code: p.Code, Name: p.Name, Starts: p.Starts, Renews: p.Renews, Expires: p.Expires, SubID: p.SubID,
			Status: string(s.Status), TrxID: p.TrxID,
		}
	}
	return out
}
