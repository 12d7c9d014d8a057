export { onRequest } from '../../forward';
