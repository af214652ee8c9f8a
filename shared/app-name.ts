/**
 * The product's name. Every name the app gives its stacks and AWS resources derives from it, so a copy of this
 * starter becomes another product by changing it (`npm run rename -- <name>` changes it, and every other mention).
 */
export const APP_NAME = 'saas-orders';

/** {@link APP_NAME} in PascalCase (`SaasOrders`): stack names and the metrics namespace. */
export const APP_PASCAL_NAME = APP_NAME.split('-')
  .map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
  .join('');
