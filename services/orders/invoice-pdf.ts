import { PDFDocument, type PDFFont, StandardFonts } from '@pdfme/pdf-lib';
import type { Order } from './orders-repository';

const PAGE = { width: 595.28, height: 841.89 } as const; // A4, in points
const MARGIN = 50;
const LINE = 16;

/** An amount in minor units as `12.34 EUR` (every catalog currency has two decimals). */
function money(minor: number, currency: string): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}

/**
 * Text the standard Helvetica font can draw: it encodes WinAnsi only, so any other character (a note in another
 * script, an emoji, a control character) is drawn as `?` rather than failing the invoice.
 */
function drawable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return [...text].map((ch) => (supported.has(ch.codePointAt(0) ?? -1) ? ch : '?')).join('');
}

/**
 * The invoice of one order as a PDF (A4, standard fonts, no images): the order's id and date, its lines, its
 * total. Dates in the document's metadata are the order's, so the same order renders the same bytes.
 */
export async function renderInvoice(order: Order): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const created = new Date(order.createdAt);
  pdf.setTitle(`Invoice ${order.orderId}`);
  pdf.setCreator('saas-orders');
  pdf.setProducer('saas-orders');
  pdf.setCreationDate(created);
  pdf.setModificationDate(created);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let page = pdf.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  const write = (text: string, x: number, options: { font?: PDFFont; size?: number } = {}) => {
    const font = options.font ?? regular;
    page.drawText(drawable(font, text), { x, y, font, size: options.size ?? 10 });
  };
  const next = (lines = 1) => {
    y -= LINE * lines;
    if (y < MARGIN) {
      page = pdf.addPage([PAGE.width, PAGE.height]);
      y = PAGE.height - MARGIN;
    }
  };

  write('Invoice', MARGIN, { font: bold, size: 20 });
  next(2);
  write(`Order ${order.orderId}`, MARGIN);
  next();
  write(`Date ${order.createdAt.slice(0, 10)}`, MARGIN);
  next();
  write(`Status ${order.status}`, MARGIN);
  next(2);
  const columns = {
    sku: MARGIN,
    name: MARGIN + 110,
    quantity: MARGIN + 300,
    unit: MARGIN + 350,
    total: MARGIN + 430,
  };
  write('SKU', columns.sku, { font: bold });
  write('Item', columns.name, { font: bold });
  write('Qty', columns.quantity, { font: bold });
  write('Unit price', columns.unit, { font: bold });
  write('Line total', columns.total, { font: bold });
  next();
  for (const item of order.items) {
    write(item.sku, columns.sku);
    write(item.name.slice(0, 40), columns.name);
    write(String(item.quantity), columns.quantity);
    write(money(item.unitPrice, order.currency), columns.unit);
    write(money(item.lineTotal, order.currency), columns.total);
    next();
  }
  next();
  write('Total', columns.unit, { font: bold });
  write(money(order.total, order.currency), columns.total, { font: bold });
  if (order.note !== undefined) {
    next(2);
    write(`Note: ${order.note.slice(0, 90)}`, MARGIN, { size: 9 });
  }
  return pdf.save({ useObjectStreams: true });
}
