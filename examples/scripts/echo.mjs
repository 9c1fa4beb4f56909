// Prints its first argument exactly as received.
console.log(process.argv[2] ?? '');
