#!/usr/bin/env bash
# Uploads the web portal's build to a deployed stack (make web-deploy STACK=name): config.json
# from the stack's outputs (the API's address, the hosted sign-in domain, the portal's app client,
# the state machine for console links), every file to the portal bucket, then a CloudFront
# invalidation. Needs the aws CLI with credentials for the stack's account and region.
set -euo pipefail
stack=${1:?usage: $0 STACK BUILD_DIR}
dir=${2:?usage: $0 STACK BUILD_DIR}
command -v aws >/dev/null || { echo "missing: the aws CLI"; exit 1; }
output() { aws cloudformation describe-stacks --stack-name "$stack" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text; }
bucket=$(output PortalBucketName)
distribution=$(output PortalDistributionId)
printf '{"auth":"cognito","apiUrl":"%s","signInUrl":"%s","clientId":"%s","stateMachineArn":"%s"}\n' \
  "$(output PublicBaseUrl)" "$(output SignInUrl)" "$(output JwtAudienceId)" "$(output StateMachineArn)" >"$dir/config.json"
aws s3 sync "$dir" "s3://$bucket/" --delete --exclude size.json --cache-control no-cache
aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/*' >/dev/null
echo "the portal is at $(output PortalDistributionUrl) (PortalUrl must name it for sign-in and CORS)"
