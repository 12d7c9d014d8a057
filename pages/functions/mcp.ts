export { onRequest } from '../forward';
