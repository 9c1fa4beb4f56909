import './servers/sluice.js';
setTimeout(() => process.exit(0), 9000);
