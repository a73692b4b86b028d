// ic-ws-canister/testing: fakes to test a canister's WebSocket logic in Node, over the real core.
export { FakeCanisterHost } from './fake-canister-host';
export { FakePollingGateway, type PolledCanister } from './fake-polling-gateway';
export { VerificationFailure, type VerifiedMessage } from './polled-batch-verifier';
