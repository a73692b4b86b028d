export { ErrorCode, IcWsError, ProtocolError } from './errors';
