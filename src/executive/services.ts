/** Every service handler of the executive, by service name (the table in src/abi/services.ts says which exist). */
import type { ServiceHandler } from './dispatch.js';
import { exServices } from './ex/services.js';
import { keApcServices, keExceptionServices, keMutantSemaphoreServices, keServices, keTimerServices } from './ke/services.js';
import { mmSectionServices, mmServices } from './mm/services.js';
import { obServices } from './ob/services.js';
import { psQueryServices, psServices } from './ps/services.js';
import { seServices } from './se/services.js';
import { psInformationServices } from './ps/information.js';
import { exSystemServices } from './ex/system.js';
import { lpcServices } from './lpc/services.js';
import { ioServices } from './io/services.js';
import { ioReadServices } from './io/read.js';

export const SERVICE_HANDLERS: Record<string, ServiceHandler> = {
  ...psServices, ...psQueryServices, ...psInformationServices, ...exSystemServices, ...exServices, ...mmServices, ...mmSectionServices, ...obServices, ...keServices, ...keExceptionServices, ...keMutantSemaphoreServices, ...keTimerServices, ...keApcServices, ...seServices, ...lpcServices, ...ioServices, ...ioReadServices,
};
