# The Disney curl examples of seed 000, verbatim (the example host is replaced by the tests).

curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json'
--data-raw '{
"subscriptionId": "ENT1664367665579",
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

curl -X GET 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

curl -X PATCH 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json'
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

curl -X DELETE 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789?product=disney.bundle.basic' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Accept: application/json'

curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/suspend' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json'
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/reactivate' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json'
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
]
}'

curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/subscriptions/4567890123456789/activation_url' \
-H 'Request-Correlation-Id: 2106f808-36e9-402d-bf37-f1f7fa04776b' \
-H 'Content-Type: application/json' \
-H 'Accept: application/json'
--data-raw '{
"products": [
"com.disney.yoigo.es.bundle.basic",
"com.disney.yoigo.es.bundle.premium"
],
"country": "ES",
"expireDate": "2021-01-01T00:00:00Z"
}'

curl -X POST 'https://provision-master.private.dev.k8s.masmovil.com/v2/orgs/masmovil/tv/disney/users/MOO1664367665504/callbacks/activate' \
-H 'Accept: application/json'
