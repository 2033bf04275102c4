const data: number[] = [];
throw new Error("boom " + data.length);
