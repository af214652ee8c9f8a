/** The media type of an invoice: one of the REST API's binary media types (infra/tenant-rest-api.ts). */
export const INVOICE_MEDIA_TYPE = 'application/pdf';
