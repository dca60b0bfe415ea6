# The curl examples of the seed documents, verbatim but for the text the exports glued after
# some of them. Each is preceded by the operationId it must reach. The example hosts are never
# called: the tests only parse these requests.

## Provision API v2 (Disney, Netflix, HBO, device insurance)

# disneyCreateSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"subscriptionId": "ENT1664367665579",
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

# disneyGetSubscription
curl -X GET 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

# disneyModifySubscription
curl -X PATCH 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

# disneyTerminateSubscription
curl -X DELETE 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789?product=disney.bundle.basic' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

# disneySuspendSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/suspend' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

# disneyReactivateSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/reactivate' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

# disneyGenerateActivationUrl
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/activation_url' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
],
"country": "ES",
"expireDate": "2021-01-01T00:00:00Z"
}'

# disneyActivationCallback
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/callbacks/activate' \
-H 'Accept: application/json'

# netflixCreateSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": "external_subscription_12345",
"billing_event_id": "e307f177-091a-4840-9830-dda1c29eea44",
"bundle_id": "c2a45099-1cda-4178-83a8-02c02356ea01",
"channel": "WEB",
"netflix_email": "test@email.com",
"netflix_offer_id": "2106f808-36e9-402d-bf37-f1f7fa04776b",
"netflix_phone": "+525512345678",
"partner_account_id": 4567890123456789,
"partner_charge_country": "ES",
"preferred_language": "es-ES"
}'

# netflixUpdateSubscription
curl -X PATCH 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": "external_subscription_12345",
"billing_event_id": "e307f177-091a-4840-9830-dda1c29eea44",
"bundle_id": "c2a45099-1cda-4178-83a8-02c02356ea01",
"channel": "WEB",
"netflix_email": "test@email.com",
"netflix_offer_id": "2106f808-36e9-402d-bf37-f1f7fa04776b",
"netflix_phone": "+525512345678",
"partner_charge_country": "ES",
"preferred_language": "es-ES"
}'

# netflixCancelSubscription
curl -X DELETE 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789?cancel_event_id=c02a6e17-7bdd-4c1d-a56b-764bcd1bcf01&cancel_reason=CUSTOMER_REQUESTED_CANCEL&external_id=4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

# netflixGenerateUrl
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789/geturl' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"channel": "WEB",
"partner_charge_country": "ES",
"promotion_id": "PROMO_ID",
"token_error_url": "https://www.example.com/error/token",
"type": "BUNDLE",
"validity_duration_in_seconds": 43200
}'

# netflixGetSubscriptionStatus
curl -X GET 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789/status' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

# netflixListEvents
curl -X GET 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/events?startTimestamp=1683710542&endTimestamp=1683796942&offset=7hysgqtGuaiqbVyqiIaNhjqqqq811lsU%3D%3D&events=BUNDLE_ACTIVATION%2CBUNDLE_PLAN_CHANGE' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

# netflixSuspendSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789/suspend' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": "external_subscription_12345",
"suspend_event_id": "c2a45099-1cda-4178-83a8-02c02356ea01",
"reason": "PAYMENT_INSTRUMENT_FAILURE"
}'

# netflixReactivateSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789/reactivate' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": "external_subscription_12345",
"reactivate_event_id": "c2a45099-1cda-4178-83a8-02c02356ea01"
}'

# netflixEnrollDigitalVirgo
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789/digitalvirgo' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"phone_number": "+525512345678",
"pai": "123456"
}'

# netflixDeactivateDigitalVirgo
curl -X DELETE 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/netflix/subscriptions/4567890123456789/digitalvirgo/+525512345678' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

# hboCreateSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"service_id": 1234567890123456,
"external_id": 1234567890123456,
"country": "ES",
"products": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
]
}'

# hboCancelSubscription
curl -X PUT 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/cancel' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": 1234567890123456,
"reason": "PRODUCT_CANCELED",
"country": "ES",
"products": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
]
}'

# hboGetSubscription
curl -X GET 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

# hboUpdateSubscription
curl -X PATCH 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": 1234567890123456,
"country": "ES",
"reason": "PRODUCT_CANCELED",
"products_to_add": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
],
"products_to_remove": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
]
}'

# hboGenerateActivationUrl
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/activation_url' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": 1234567890123456,
"country": "ES",
"products": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
]
}'

# hboActivateSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/activate' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": 1234567890123456,
"country": "ES",
"products": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
]
}'

# hboReactivateSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/reactivate' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": 1234567890123456,
"country": "ES",
"products": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
]
}'

# hboSuspendSubscription
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/suspend' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"external_id": 1234567890123456,
"reason": "PRODUCT_CANCELED",
"country": "ES",
"products": [
{
"code": "MAX_AVOD",
"name": "MAX Ad VOD",
"starts": 1616425200,
"renews": 1616425200,
"expires": 1616425200,
"sub_id": "1d732753-ae1f-45f8-82f7-7243d395b1ac",
"status": "ACTIVE",
"trx_id": 1234567890
}
]
}'

# insuranceReserve
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/:organization/insurance/device/reserve' \
-H 'Request-Correlation-Id: 01968069-ad7b-7cef-8cd0-7dddaecbf813' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"documentId": "00000000F",
"firstName": "juan",
"lastName1": "perez",
"lastName2": "perez",
"msisdn": "666666666",
"address": "paseo de castellana, 4, 002B",
"email": "d@g.com",
"zipCode": "28000",
"locality": "madrid",
"province": "madrid",
"language": "allowed values: es => castellano, eu=> euskera, ga=>gallego, ca=>catalán",
"sfid": "1234",
"brand": "string",
"model": "string",
"price": 2.2,
"clientType": "Autónomo",
"invoicePayment": true,
"productType": "Móvil",
"imei": "string",
"terminalSaleDate": "2022-01-31T23:00:00Z",
"entity": "string",
"officeCode": "string",
"dc": "string",
"accountNumber": "string",
"billingCycle": "string",
"salesChannel": "string"
}'

# insuranceCancel
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/:organization/insurance/device/cancel' \
-H 'Request-Correlation-Id: 01968069-ad7b-7cef-8cd0-7dddaecbf813' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"policyNumber": "string",
"document": "string"
}'

# insuranceActivate
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/:organization/insurance/device/activate' \
-H 'Request-Correlation-Id: 01968069-ad7b-7cef-8cd0-7dddaecbf813' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"externalReference": "string",
"requestId": "string",
"policyNumber": "string",
"imei": "string",
"document": "string",
"subscriptionId": "string"
}'

# insuranceTerminate
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/:organization/insurance/device/terminate' \
-H 'Request-Correlation-Id: 01968069-ad7b-7cef-8cd0-7dddaecbf813' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"policyNumber": "string",
"reason": "string",
"document": "string"
}'

# insuranceRequestInfo
curl -X GET 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/:organization/insurance/device/requestinfo' \
-H 'Request-Correlation-Id: 01968069-ad7b-7cef-8cd0-7dddaecbf813' \
-H 'Accept: application/json'

# insuranceSuspend
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/:organization/insurance/device/suspend' \
-H 'Request-Correlation-Id: 01968069-ad7b-7cef-8cd0-7dddaecbf813' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"externalReference": "string",
"policyNumber": "string",
"phoneNumber": "string",
"document": "string"
}'

# insuranceReconnect
curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/:organization/insurance/device/reconnect' \
-H 'Request-Correlation-Id: 01968069-ad7b-7cef-8cd0-7dddaecbf813' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json' \
--data-raw '{
"externalReference": "string",
"policyNumber": "string",
"phoneNumber": "string",
"document": "string"
}'

## Provision API v2, the fuller HBO page

# hboCreateSubscription
curl -X POST https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b" \
 --data-raw "{
  'service_id': 1234567890123456,
  'external_id': 1234567890123456,
  'country': 'ES',
  'products': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ]
}"

# hboCancelSubscription
curl -X PUT https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/cancel \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b" \
 --data-raw "{
  'external_id': 1234567890123456,
  'reason': 'PRODUCT_CANCELED',
  'country': 'ES',
  'products': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ]
}"

# hboUpdateSubscription
curl -X PATCH https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789 \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b" \
 --data-raw "{
  'external_id': 1234567890123456,
  'country': 'ES',
  'reason': 'PRODUCT_CANCELED',
  'products_to_add': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ],
  'products_to_remove': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ]
}"

# hboGetSubscription
curl -X GET https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789 \
  -H "Accept: application/json" \
  -H "Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b"

# hboGenerateActivationUrl
curl -X POST https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/activation_url \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
 --data-raw "{
  'external_id': 1234567890123456,
  'country': 'ES',
  'products': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ]
}"

# hboActivateSubscription
curl -X POST https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/activate \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b" \
 --data-raw "{
  'external_id': 1234567890123456,
  'country': 'ES',
  'products': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ]
}"

# hboReactivateSubscription
curl -X POST https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/reactivate \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b" \
 --data-raw "{
  'external_id': 1234567890123456,
  'country': 'ES',
  'products': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ]
}"

# hboSuspendSubscription
curl -X POST https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/hbo/subscriptions/4567890123456789/suspend \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b" \
 --data-raw "{
  'external_id': 1234567890123456,
  'reason': 'PRODUCT_CANCELED',
  'country': 'ES',
  'products': [
    {
      'code': 'MAX_AVOD',
      'name': 'MAX Ad VOD',
      'starts': 1616425200,
      'renews': 1616425200,
      'expires': 1616425200,
      'sub_id': '1d732753-ae1f-45f8-82f7-7243d395b1ac',
      'status': 'ACTIVE',
      'trx_id': 1234567890
    }
  ]
}"

## Subscriptions API v1

# subscriptionsV1DeactivateNetflix
curl -X POST https://subscriptions.masstack.com/v1/orgs/masmovil/netflix/1/deactivate \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
 --data-raw "{
  'deactivation_reason': 'BAJA VOLUNTARIA',
  'deactivation_user': 'test@test.com',
  'requested_deactivation_date': '2017-09-15T22:00:00Z'
}"

# subscriptionsV1CancelNetflixActivation
curl -X POST https://subscriptions.masstack.com/v1/orgs/masmovil/netflix/1/cancel \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
 --data-raw "{
  'cancellation_reason': 'BAJA VOLUNTARIA',
  'cancellation_user': 'test@test.com',
  'requested_cancellation_date': '2017-09-15T22:00:00Z'
}"

# subscriptionsV1GetSubscription
curl -X GET https://subscriptions.masstack.com/v1/orgs/yoigo/subscriptions/5652763 \
  -H "Accept: application/json"

# subscriptionsV1PatchSubscription
curl -X PATCH https://subscriptions.masstack.com/v1/orgs/yoigo/subscriptions/5652763 \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
 --data-raw "{
  'subscription_type': 'MOBILE',
  'status_change': {
    'status': 'ACTIVE',
    'status_change_user': 'test@test.com',
    'status_change_reason': 'customer request',
    'requested_status_change_date': '2017-09-15T22:00:00Z'
  }
}"

# subscriptionsV1SearchSubscriptions
curl -X GET https://subscriptions.masstack.com/v1/orgs/yoigo/subscriptions?filter_type='MSISDN'&filter_value='345652'?filter_type=MSISDN&filter_value=345652 \
  -H "Accept: application/json"

# subscriptionsV1GetShippings
curl -X GET https://subscriptions.masstack.com/v1/orgs/masmovil/subscriptions/5652763/shippings?requested_date='2017-09-15T22:00:00Z' \
  -H "Accept: application/json"

## Subscriptions API v2

# subscriptionsV2CreateDisney
curl -X POST https://subscriptions.masstack.com/v2/orgs/{org}/bundles/{id}/subscriptions/disney \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer {access-token}" \
 --data-raw "{
  'specific_data': {},
  'pre_scoring_id': '1564',
  'catalogue_commercial_product_id': '7125',
  'promotions': [
    {
      'catalogue_promotion_id': '124'
    }
  ],
  'add_ons': [
    {
      'catalogue_add_on_legacy_id': '124',
      'catalogue_add_on_id': '124',
      'deactivation_date': '2025-01-05T03:30:15Z',
      'deactivation_system': 'killflex.auth.masmovil.com'
    }
  ],
  'free_units_packages': [
    {
      'catalogue_free_units_packages_id': '124'
    }
  ],
  'devices_related_info': {
    'devices': [
      {
        'catalogue_commercial_device_id': 'CDCVPU_150f5badaa706651e67c59061d373d7e7e',
        'reservation_id': '1567',
        'signature_process_id': '18395',
        'manufacturing_info': {
          'id_type': 'SERIAL_NUMBER',
          'id': '9876543-AB-345'
        },
        'serial_number': '9876543-AB-345',
        'mac_address': '00-B0-D0-63-C2-26',
        'imei': 'AA-BBBBBB-CCCCCC-D',
        'commitments': [
          {}
        ]
      }
    ],
    'customer_financial_info': {
      'bank_declared_income': 0,
      'business_name': '',
      'observations': 'blabla',
      'professional_usage': false,
      'activity_country': 'es',
      'doc_expiration_date': '2017-09-15T22:00:00Z',
      'profession_code': 'PRIVATE_SECTOR_WORKER',
      'funds_origin_code': '3RD',
      'occupation_sector_code': 'SERV'
    },
    'pre_booking': {
      'order_id': '123213asdsa',
      'authorization_id': '',
      'financial_entity': 'BBVA',
      'agreed_commercial_consents': true,
      'agreed_gdpr': true,
      'status': 'ACCEPTED',
      'granted_amount': 100,
      'credit_line_amount': 10
    },
    'delivery_info': {
      'contact_info': {
        'name': 'Juan',
        'surname': 'Perez Lopez',
        'id_doc': {
          'id_type': 'NIF',
          'id': '5012341234'
        },
        'phone_number': '696288378',
        'email_address': 'juan@hotmail.com'
      },
      'address': {
        'street_type': 'Calle',
        'street_name': 'Tellez',
        'house_number': '12',
        'additional_info': 'Esc. Dcha 3 C',
        'city': 'Riaza',
        'province': 'Segovia',
        'country': 'es',
        'post_code': '40500',
        'address_code': '28000010758100012    OA   004C       ',
        'address_additional_id': '123443554'
      },
      'delivery_type': 'CUSTOMER_ADDRESS',
      'dealer_code': '1234'
    }
  },
  'bundle_related_info': {
    'catalogue_bundled_product_id': '8342',
    'catalogue_bundled_commercial_product_id': '8432_BUNDLED_3P',
    'mandatory': true
  }
}"

# subscriptionsV2ListBundleDisney
curl -X GET https://subscriptions.masstack.com/v2/orgs/{org}/bundles/{id}/subscriptions/disney?offset='0'&limit='50' \
  -H "Accept: application/json" \
  -H "Authorization: Bearer {access-token}"

# subscriptionsV2SearchDisney
curl -X GET https://subscriptions.masstack.com/v2/orgs/yoigo/subscriptions/disney?legacy_account_id='572234234'&user_id='123e4567-e89b-12d3-a456-426614174000'&service_id='123e4567-e89b-12d3-a456-426614174000'&product_id='com.disney.yoigo.es.bundle.standard'&offset='0'&limit='50' \
  -H "Accept: application/json" \
  -H "Authorization: Bearer {access-token}"

# subscriptionsV2GetDisney
curl -X GET https://subscriptions.masstack.com/v2/orgs/yoigo/subscriptions/disney/ce2f20cb-35df-4ffe-bca6-c0ed0c28cb39 \
  -H "Accept: application/json" \
  -H "Authorization: Bearer {access-token}"

# subscriptionsV2PatchDisney
curl -X PATCH https://subscriptions.masstack.com/v2/orgs/yoigo/subscriptions/disney/ce2f20cb-35df-4ffe-bca6-c0ed0c28cb39 \
  -H "Content-Type: application/json" \
  -H "Accept: application/json" \
  -H "Authorization: Bearer {access-token}" \
 --data-raw "[
  {
    'op': 'add',
    'path': '/status',
    'value': 'DEACTIVATED',
    'reason': 'SUBSCRIBER_REQUESTED'
  }
]"
